/**
 * `mlops promote`, `mlops rollback`, `mlops tag` and `mlops models`, run through commander
 * against a temp MLOPS_HOME with real bundles.
 */
import { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerModelsCommand } from '../../../src/cli/commands/models.js';
import { registerPromoteCommands } from '../../../src/cli/commands/promote.js';
import { serializeBundle } from '../../../src/model/bundle.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import type { ModelRegistry } from '../../../src/registry/model-registry.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';
import { demoBundle } from '../serving/demo-bundle.js';

describe('promote, rollback, tag and models commands', () => {
  let home: string;
  let registry: ModelRegistry;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-promote-'));
    process.env.MLOPS_HOME = home;
    const store = new FileArtifactStore(path.join(home, 'artifacts'));
    registry = new FileModelRegistry(path.join(home, 'registry'));
    const dataset = await store.putBytes('x', '.csv');
    const good = await store.putBytes(serializeBundle(demoBundle(1)), '.model.json');
    const broken = await store.putBytes('{"format":"nope"}', '.model.json');
    for (const [i, bundle] of [good, good, broken].entries()) {
      await registry.registerVersion('taxi', { bundle, metrics: { rmse: 5 - i }, lineage: { dataset, specHash: 's', codeVersion: `c${i}` }, idempotencyKey: `k${i}` });
    }
  });
  afterAll(async () => {
    delete process.env.MLOPS_HOME;
    await rm(home, { recursive: true, force: true });
  });

  async function mlops(...args: string[]): Promise<{ out: string; error?: string }> {
    const program = new Command('mlops').exitOverride();
    registerPromoteCommands(program);
    registerModelsCommand(program);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    try {
      await program.parseAsync(['node', 'mlops', ...args]);
      return { out };
    } catch (err) {
      return { out, error: (err as Error).message };
    } finally {
      spy.mockRestore();
    }
  }

  it('promotes, refuses a version that fails its readiness check, and rolls back', async () => {
    expect((await mlops('promote', 'taxi', '1', '--actor', 'ana')).out).toMatch(/taxi: production \(none\) → v1/);
    expect((await mlops('promote', 'taxi', '2', '--actor', 'ana', '--reason', 'better')).out).toMatch(/production v1 → v2/);
    const refused = await mlops('promote', 'taxi', '3');
    expect(refused.error).toMatch(/readiness check failed, so the alias was not moved: .*does not load/);
    expect((await registry.getModel('taxi'))?.aliases.production).toBe(2);
    expect((await mlops('promote', 'taxi', '3', '--alias', 'shadow', '--no-check')).out).toMatch(/shadow \(none\) → v3/);

    const back = await mlops('rollback', 'taxi', '--actor', 'bo', '--reason', 'latency', '--json');
    expect(JSON.parse(back.out)).toMatchObject({ alias: 'production', from: 2, to: 1, action: 'rollback', actor: 'bo', reason: 'latency' });
    expect((await mlops('rollback', 'taxi')).error).toMatch(/no earlier production version/);
    expect((await mlops('promote', 'taxi', '9')).error).toMatch(/has no version 9/);
    expect((await mlops('promote', 'taxi', 'latest')).error).toMatch(/"latest" is not a version number/);
    expect((await mlops('promote', 'nope', '1')).error).toMatch(/no model named "nope"/);
  });

  it('tags versions and shows tags, lineage and history in models', async () => {
    expect((await mlops('tag', 'taxi', '1', 'team=rides', 'reviewed=yes')).out).toMatch(/taxi v1: team=rides reviewed=yes/);
    expect(JSON.parse((await mlops('tag', 'taxi', '1', '--delete', 'reviewed', '--json')).out)).toEqual({ team: 'rides' });
    expect((await mlops('tag', 'taxi', '1')).error).toMatch(/KEY=VALUE/);

    const text = (await mlops('models', 'taxi')).out;
    expect(text).toMatch(/^taxi {2}production→v1 shadow→v3/);
    expect(text).toMatch(/v1 .*\[production\] {2}tags team=rides/);
    expect(text).toMatch(/codeVersion: c0/);
    expect(text).toMatch(/production v2 → v1 {2}rollback by bo: latency/);
    const json = JSON.parse((await mlops('models', 'taxi', '--json')).out);
    expect(json.history).toHaveLength(4);
  });
});
