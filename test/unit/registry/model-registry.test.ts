import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { type NewVersion } from '../../../src/registry/model-registry.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
  const store = new FileArtifactStore(path.join(root, 'artifacts'));
  const registry = new FileModelRegistry(path.join(root, 'registry'));
  const bundle = await store.putBytes('{"weights":[1,2,3]}', '.model.json');
  const version = (key: string): NewVersion => ({
    bundle,
    metrics: { rmse: 1 },
    idempotencyKey: key,
    lineage: { dataset: bundle, specHash: 'abc' },
  });
  return { root, store, registry, version };
}

describe('ModelRegistry', () => {
  it('numbers versions, moves aliases and keeps the history', async () => {
    const { registry, version } = await setup();
    const v1 = await registry.registerVersion('m', version('run-1'));
    const v2 = await registry.registerVersion('m', version('run-2'));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    await registry.setAlias('m', 'production', 1, 'ana');
    await registry.setAlias('m', 'production', 2, 'bo', 'better');
    expect((await registry.resolve('m'))?.version).toBe(2);
    const model = await registry.getModel('m');
    expect(model?.history.map((e) => [e.from, e.to, e.actor])).toEqual([
      [null, 1, 'ana'],
      [1, 2, 'bo'],
    ]);
  });

  it('keeps open lineage, artifact references and the approval record with the version', async () => {
    const { registry, version, store } = await setup();
    const schema = await store.putBytes('{"columns":[]}', '.schema.json');
    const v = await registry.registerVersion('m', {
      ...version('run-1'),
      lineage: { dataset: schema, specHash: 'abc', codeVersion: 'git:1234', epochs: 8, hyperparameters: { lr: 0.01 }, seed: 42 },
      schema,
      statistics: schema,
      report: schema,
      approval: { decision: 'approved', reviewer: 'ana', comment: 'ok', at: '2024-01-01T00:00:00Z', workflowId: 'wf-1' },
      tags: { team: 'rides' },
    });
    const stored = (await registry.getModel('m'))!.versions[0]!;
    expect(stored).toEqual(v);
    expect(stored.lineage).toMatchObject({ codeVersion: 'git:1234', epochs: 8, seed: 42 });
    expect(stored.schema?.sha256).toBe(schema.sha256);
    expect(stored.approval?.reviewer).toBe('ana');
  });

  it('sets and deletes tags without touching the rest of the version', async () => {
    const { registry, version } = await setup();
    await registry.registerVersion('m', { ...version('run-1'), tags: { team: 'rides' } });
    expect(await registry.setTags('m', 1, { stage: 'canary', team: null })).toEqual({ stage: 'canary' });
    const [v] = (await registry.getModel('m'))!.versions;
    expect(v).toMatchObject({ version: 1, tags: { stage: 'canary' }, metrics: { rmse: 1 } });
    await expect(registry.setTags('m', 9, { a: 'b' })).rejects.toThrow(/has no version 9/);
    await expect(registry.setTags('m', 1, { 'a b': 'c' })).rejects.toThrow(/tag key "a b"/);
  });

  it('rolls production back step by step through its history', async () => {
    const { registry, version } = await setup();
    for (const key of ['a', 'b', 'c']) await registry.registerVersion('m', version(key));
    await registry.setAlias('m', 'production', 1, { actor: 'ci', action: 'deploy' });
    await registry.setAlias('m', 'staging', 3, 'ana');
    await registry.setAlias('m', 'production', 2, { actor: 'ci', action: 'deploy' });
    await registry.setAlias('m', 'production', 3, { actor: 'ana', reason: 'canary looked good' });
    expect(await registry.setAlias('m', 'production', 3, 'ana')).toBeUndefined(); // no-op, no history entry

    const first = await registry.rollback('m', { actor: 'bo', reason: 'latency' });
    expect(first).toMatchObject({ alias: 'production', from: 3, to: 2, action: 'rollback', actor: 'bo', reason: 'latency' });
    expect((await registry.rollback('m', { actor: 'bo' })).to).toBe(1);
    await expect(registry.rollback('m', { actor: 'bo' })).rejects.toThrow(/no earlier production version to roll back to/);
    expect((await registry.rollback('m', { actor: 'bo', alias: 'staging' }).catch((e: Error) => e.message))).toMatch(/no earlier staging/);

    const model = (await registry.getModel('m'))!;
    expect(model.aliases).toEqual({ production: 1, staging: 3 });
    expect(model.history.map((e) => `${e.alias}:${e.from}->${e.to}:${e.action}:${e.actor}`)).toEqual([
      'production:null->1:deploy:ci',
      'staging:null->3:promote:ana',
      'production:1->2:deploy:ci',
      'production:2->3:promote:ana',
      'production:3->2:rollback:bo',
      'production:2->1:rollback:bo',
    ]);
    // After a new promotion, a rollback returns to the version it replaced.
    await registry.setAlias('m', 'production', 3, 'ana');
    expect((await registry.rollback('m', { actor: 'bo' })).to).toBe(1);
  });

  it('removes an alias, validates alias names', async () => {
    const { registry, version } = await setup();
    await registry.registerVersion('m', version('a'));
    await registry.setAlias('m', 'canary', 1, 'ana');
    expect(await registry.removeAlias('m', 'canary', 'ana', 'done')).toMatchObject({ from: 1, to: null, action: 'remove' });
    expect((await registry.getModel('m'))!.aliases).toEqual({});
    await expect(registry.removeAlias('m', 'canary', 'ana')).rejects.toThrow(/has no alias "canary"/);
    for (const bad of ['', '1', '__proto__', 'a b', '../x']) await expect(registry.setAlias('m', bad, 1, 'ana')).rejects.toThrow(/is not an alias/);
  });

  it('never registers two versions for one idempotency key', async () => {
    const { registry, version } = await setup();
    await registry.registerVersion('m', version('run-1'));
    const again = await registry.registerVersion('m', version('run-1'));
    expect(again.version).toBe(1);
    expect((await registry.getModel('m'))?.versions).toHaveLength(1);
  });

  it('keeps concurrent writers consistent', async () => {
    const { registry, version } = await setup();
    const versions = await Promise.all(Array.from({ length: 12 }, (_, i) => registry.registerVersion('m', version(`run-${i}`))));
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('refuses unknown versions and path tricks in names, leaving no temp files', async () => {
    const { registry, version, root } = await setup();
    await registry.registerVersion('m', version('run-1'));
    await expect(registry.setAlias('m', 'production', 7, 'ana')).rejects.toThrow(/has no version 7/);
    await expect(registry.getModel('../etc')).rejects.toThrow(/not a model name/);
    const files = await readdir(path.join(root, 'registry'));
    expect(files).toEqual(['m.json']);
    expect(JSON.parse(await readFile(path.join(root, 'registry', 'm.json'), 'utf8')).aliases).toEqual({});
  });
});

describe('FileArtifactStore', () => {
  it('is content-addressed and verifies hashes on read', async () => {
    const { store, root } = await setup();
    const a = await store.putBytes('hello', '.txt');
    const b = await store.putBytes('hello', '.txt');
    expect(a).toEqual(b);
    expect(a.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect((await store.readBytes(a)).toString()).toBe('hello');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(await store.localPath(a), 'tampered');
    await expect(store.readBytes(a)).rejects.toThrow(/does not match its hash/);
    await expect(store.localPath({ ...a, uri: `file://${root}/missing.txt` })).rejects.toThrow(/is missing/);
  });
});
