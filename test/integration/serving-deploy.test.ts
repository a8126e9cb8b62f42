/**
 * The deploy activity's readiness check, in a mock activity context over a real registry and
 * artifact store: a good bundle is registered with its lineage and goes to production; a
 * bundle that does not load or answers nonsense fails non-retryably and production stays put.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployActivity, type DeployInput } from '../../activities/deploy.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { createLogger } from '../../src/logger.js';
import { serializeBundle } from '../../src/model/bundle.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { parseSpec } from '../../src/spec/parse.js';
import { demoBundle, demoFeatures, demoInstances } from '../unit/serving/demo-bundle.js';

describe('deploy checks readiness before the alias moves', () => {
  let home: string;
  let deps: ActivityDeps;
  let base: Omit<DeployInput, 'bundle'>;
  const spec = parseSpec({ name: 'taxi-deploy', task: 'regression', data: { source: 'x.parquet', target: 'duration_min', features: demoFeatures } }, 'test');
  const run = (runId: string, input: DeployInput) =>
    new MockActivityEnvironment({ workflowExecution: { workflowId: `wf-${runId}`, runId } }).run(deployActivity(deps), input);

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-deploy-'));
    const store = new FileArtifactStore(path.join(home, 'artifacts'));
    // Deploy uses the store and the registry only.
    deps = { store, registry: new FileModelRegistry(path.join(home, 'registry')), workDir: home, baseDir: home, logger: createLogger('test', 'warn') } as unknown as ActivityDeps;
    const dataset = await store.putBytes('a,b\n', '.csv');
    base = {
      spec,
      specHash: 'hash',
      dataset: { ...dataset, rows: 1, columns: [] },
      backend: 'cpu',
      metrics: { rmse: 4 },
      approval: { decision: 'approved', reviewer: 'ana', at: new Date().toISOString() },
    };
  });
  afterAll(async () => rm(home, { recursive: true, force: true }));

  it('registers a ready version with its lineage and artifacts, and points production at it', async () => {
    const bundle = await deps.store.putBytes(serializeBundle(demoBundle(1)), '.model.json');
    const schema = await deps.store.putBytes('{"schema":1}', '.schema.json');
    const first = await run('r1', { ...base, bundle, schema, lineage: { codeVersion: 'abc123', epochs: 8 }, smokeInstance: { ...demoInstances(1)[0], duration_min: 12 } });
    expect(first).toEqual({ version: 1, previousVersion: null });
    const second = await run('r2', { ...base, bundle: await deps.store.putBytes(serializeBundle(demoBundle(2)), '.model.json') });
    expect(second).toEqual({ version: 2, previousVersion: 1 });
    expect(await run('r2', { ...base, bundle })).toEqual({ version: 2, previousVersion: 1 }); // a retried attempt

    const model = (await deps.registry.getModel('taxi-deploy'))!;
    expect(model.aliases.production).toBe(2);
    expect(model.versions[0]).toMatchObject({ schema: { sha256: schema.sha256 }, lineage: { codeVersion: 'abc123', epochs: 8, workflowId: 'wf-r1', runId: 'r1', specHash: 'hash', backend: 'cpu' } });
    expect(model.history.map((e) => [e.action, e.from, e.to, e.actor])).toEqual([
      ['deploy', null, 1, 'ana'],
      ['deploy', 1, 2, 'ana'],
    ]);
  });

  it.each([
    ['a bundle that is not a bundle', async () => deps.store.putBytes('{"format":"nope"}', '.model.json'), {}, /does not load: the model bundle has format "nope"/],
    [
      'a bundle whose output overflows',
      async () => {
        const b = demoBundle(3);
        return deps.store.putBytes(serializeBundle({ ...b, layers: b.layers.map((l) => ({ ...l, kernel: l.kernel.map(() => 3e38), bias: l.bias.map(() => 3e38) })) }), '.model.json');
      },
      {},
      /returned (Infinity|NaN): a regression must answer a finite number/,
    ],
    ['a smoke row the model cannot read', async () => deps.store.putBytes(serializeBundle(demoBundle(4)), '.model.json'), { smokeInstance: { trip_distance: 'far' } }, /feature "trip_distance" is numeric/],
  ])('refuses %s: non-retryable, nothing registered, production unchanged', async (_name, makeBundle, extra, message) => {
    const bundle = await makeBundle();
    const err = await run(`bad-${Math.random()}`, { ...base, bundle, ...extra }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ReadinessCheckFailed', nonRetryable: true });
    expect((err as Error).message).toMatch(/^readiness check failed, so the alias was not moved: /);
    expect((err as Error).message).toMatch(message);
    const model = (await deps.registry.getModel('taxi-deploy'))!;
    expect(model.aliases.production).toBe(2);
    expect(model.versions).toHaveLength(2);
  });
});
