/**
 * An outage of the shared state during a step: the S3 store down while ingest runs, the
 * PostgreSQL registry down while deploy runs. Each is a retried activity whose failure names
 * what is unreachable, the pipeline completes once the service is back, and the registry holds
 * exactly one whole version.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { openRegistry } from '../../src/registry/open.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { approveSignal, statusQuery } from '../../workflows/messages.js';
import { sharedStateSkipReason, startSharedState, type SharedState } from '../services/shared-state.js';
import { startWorkerStack, type WorkerStack } from './worker-stack.js';

const skipReason = await sharedStateSkipReason();
if (skipReason) console.warn(`state outage tests skipped: ${skipReason}`);
// CI installs PostgreSQL and rclone (.ci/run): there a missing one fails the test.
const suite = skipReason && !process.env.CI ? describe.skip : describe;
const queue = 'it-state-outage';

suite('an S3 or PostgreSQL outage during a step', () => {
  let state: SharedState;
  let home: string;
  let config: MlopsConfig;
  let stack: WorkerStack;
  let client: Client;

  beforeAll(async () => {
    state = await startSharedState();
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-outage-'));
    await generateTrips({ outDir: path.join(home, 'data'), months: 1, rowsPerMonth: 600, seed: 5 });
    config = loadConfig({ ...state.env, MLOPS_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), MLOPS_TASK_QUEUE: queue });
    stack = await startWorkerStack(config, { baseDir: home });
    client = stack.client;
  });

  afterAll(async () => {
    await stack?.close();
    await state?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const spec = (name: string, approval: 'auto' | 'manual'): PipelineSpecInput => ({
    name,
    task: 'regression',
    data: { source: path.join(home, 'data', '*.parquet'), target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }, { name: 'hour', type: 'numeric' }] },
    model: { hiddenUnits: [8], epochs: 2 },
    approval: { mode: approval },
  });

  it('S3 down while ingest runs: retried with the store named, then one whole version', { timeout: 120_000 }, async () => {
    await state.s3.stop();
    const handle = await client.workflow.start('trainingPipeline', { args: [spec('outage-s3', 'auto')], taskQueue: queue, workflowId: `outage-s3-${Date.now()}` });
    const failure = await lastFailureOf(handle, 'ingest');
    expect(failure).toMatch(new RegExp(`cannot reach the artifact store s3://${state.s3.bucket}/mlops at ${state.s3.endpoint.replaceAll('.', '\\.')}`));
    await state.s3.restart();
    expect(await handle.result()).toMatchObject({ deployed: true, version: 1 });
    await expectOneVersion('outage-s3');
  });

  it('PostgreSQL down while deploy runs: retried with the database named, then one whole version', { timeout: 120_000 }, async () => {
    const handle = await client.workflow.start('trainingPipeline', { args: [spec('outage-pg', 'manual')], taskQueue: queue, workflowId: `outage-pg-${Date.now()}` });
    await until(async () => (await handle.query(statusQuery)).stage === 'awaiting-approval');
    await state.postgres.stop();
    await handle.signal(approveSignal, { reviewer: 'ana' });
    const failure = await lastFailureOf(handle, 'deploy');
    expect(failure).toMatch(/cannot reach the registry database at 127\.0\.0\.1:\d+\/mlops_registry/);
    expect(failure).not.toContain(state.postgres.password);
    await state.postgres.restart();
    expect(await handle.result()).toMatchObject({ deployed: true, version: 1 });
    await expectOneVersion('outage-pg');
  });

  async function expectOneVersion(name: string): Promise<void> {
    const registry = openRegistry(config);
    try {
      const model = await registry.requireModel(name);
      expect(model.versions.map((v) => v.version)).toEqual([1]);
      expect(model.aliases).toEqual({ production: 1 });
      expect(model.history.map((e) => [e.from, e.to, e.action])).toEqual([[null, 1, 'deploy']]);
    } finally {
      await registry.close();
    }
  }
});

/** The message of the named activity's last failed attempt, once it has retried at least once. */
async function lastFailureOf(handle: WorkflowHandle, activity: string): Promise<string> {
  let message = '';
  await until(async () => {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const step = pending.find((a) => a.activityType?.name === activity);
    message = step?.lastFailure?.message ?? '';
    return (step?.attempt ?? 0) >= 2 && message !== '';
  });
  return message;
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
