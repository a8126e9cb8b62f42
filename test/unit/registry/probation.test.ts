/** Which production version is on probation: a forward move is, a rollback (by anyone) is not. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../../activities/deps.js';
import { productionReferenceActivity } from '../../../activities/production-reference.js';
import { rollbackActivity } from '../../../activities/rollback.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';
import { probationBaseline } from '../../../src/registry/model-registry.js';

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'probation-'));
  const store = new FileArtifactStore(path.join(root, 'artifacts'));
  const registry = new FileModelRegistry(path.join(root, 'registry'));
  const bundle = await store.putBytes('{"weights":[1]}', '.model.json');
  for (const key of ['a', 'b', 'c']) {
    await registry.registerVersion('m', { bundle, metrics: { rmse: 1 }, idempotencyKey: key, lineage: { dataset: bundle, specHash: 'x' } });
  }
  const deps = { registry, store } as unknown as ActivityDeps;
  return { registry, reference: productionReferenceActivity(deps), monitorRollback: rollbackActivity(deps) };
}

describe('probation after alias moves', () => {
  it('a forward deploy is on probation against the version it replaced', async () => {
    const { registry, reference } = await setup();
    await registry.setAlias('m', 'production', 1, { actor: 'pipeline', action: 'deploy' });
    expect((await reference('m'))?.previousVersion).toBeNull();
    await registry.setAlias('m', 'production', 2, { actor: 'pipeline', action: 'deploy' });
    expect(await reference('m')).toMatchObject({ version: 2, previousVersion: 1 });
  });

  it('a person\'s "mlops rollback" (no monitor wording in its reason) puts nothing on probation', async () => {
    const { registry, reference } = await setup();
    await registry.setAlias('m', 'production', 1, { actor: 'pipeline', action: 'deploy' });
    await registry.setAlias('m', 'production', 2, { actor: 'pipeline', action: 'deploy' });
    await registry.rollback('m', { actor: 'ana', reason: 'bad predictions' });
    // Before the fix the monitor read this as a forward move 2 → 1 and could roll back to 2.
    expect(await reference('m')).toMatchObject({ version: 1, previousVersion: null });
  });

  it("the monitor's own rollback puts nothing on probation; the next deploy does again", async () => {
    const { registry, reference, monitorRollback } = await setup();
    await registry.setAlias('m', 'production', 1, { actor: 'pipeline', action: 'deploy' });
    await registry.setAlias('m', 'production', 2, { actor: 'pipeline', action: 'deploy' });
    await monitorRollback({ name: 'm', toVersion: 1, reason: 'v2 worse live' });
    expect(await reference('m')).toMatchObject({ version: 1, previousVersion: null });
    await registry.setAlias('m', 'production', 3, { actor: 'pipeline', action: 'deploy' });
    expect(await reference('m')).toMatchObject({ version: 3, previousVersion: 1 });
  });

  it('a removed alias has no baseline', async () => {
    const { registry } = await setup();
    await registry.setAlias('m', 'production', 1, 'ana');
    await registry.removeAlias('m', 'production', 'ana');
    expect(probationBaseline((await registry.getModel('m'))!, 'production')).toBeUndefined();
  });
});
