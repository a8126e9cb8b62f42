/**
 * Training survives its worker: a worker process killed with SIGKILL mid-training, and a
 * cancelled workflow, on a real dev server. The main worker runs in this process; training is
 * routed (MLOPS_USE_GPU_QUEUE, as a GPU deployment does) to a queue of its own, served first
 * by a child process we kill, then by a replacement.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TrainHeartbeat } from '../../activities/train.js';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { connectClient } from '../../src/temporal/client.js';
import { startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { regressionData } from '../unit/model/fixtures.js';
import { spawnWorkerProcess, startWorker, type RunningWorker } from './worker-stack.js';
import { trainResult, waitFor } from './workflow-probes.js';

const queue = 'it-durable';
const trainingQueue = 'it-durable-training';
/** Short, so a dead worker is noticed in seconds; the workflow reads it from spec.model.heartbeatTimeout. */
const heartbeatTimeoutSeconds = 3;

/** A worker of the plugin in this process, on the configuration's queue or `taskQueue`. */
function runWorker(config: MlopsConfig, taskQueue?: string): Promise<RunningWorker> {
  return startWorker(config, { baseDir: config.home, taskQueue });
}

/** A training worker in a child process, so it can die like a crashed host. */
function spawnTrainingWorker(config: MlopsConfig): Promise<ChildProcess> {
  return spawnWorkerProcess(config, { MLOPS_TASK_QUEUE: trainingQueue });
}

/** The train activity's last recorded heartbeat, from the workflow's pending activities. */
async function trainHeartbeat(handle: WorkflowHandle): Promise<TrainHeartbeat | undefined> {
  const described = await handle.describe();
  const pending = described.raw.pendingActivities?.find((a) => a.activityType?.name === 'train');
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<TrainHeartbeat>(payload) : undefined;
}

/** The heartbeat timeout the workflow scheduled training with, in seconds (from its history). */
async function scheduledHeartbeatTimeout(handle: WorkflowHandle): Promise<number | undefined> {
  const history = await handle.fetchHistory();
  const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'train');
  const timeout = scheduled?.activityTaskScheduledEventAttributes?.heartbeatTimeout;
  return timeout ? Number(timeout.seconds ?? 0) + (timeout.nanos ?? 0) / 1e9 : undefined;
}

describe('durable training on a real dev server', () => {
  let home: string;
  let config: MlopsConfig;
  let client: Client;
  let main: RunningWorker;
  let replacement: RunningWorker | undefined;
  let child: ChildProcess | undefined;
  let spec: (name: string, epochs: number) => PipelineSpecInput;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-durable-'));
    config = loadConfig({
      MLOPS_HOME: home,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      MLOPS_TASK_QUEUE: queue,
      MLOPS_GPU_TASK_QUEUE: trainingQueue,
      MLOPS_USE_GPU_QUEUE: '1',
    });
    const { x = [], color = [], y = [] } = regressionData(400).columns;
    await writeFile(path.join(home, 'line.csv'), ['x,color,y', ...x.map((v, i) => `${v},${color[i]},${y[i]}`), ''].join('\n'));
    spec = (name, epochs) => ({
      name,
      task: 'regression',
      data: { source: path.join(home, 'line.csv'), target: 'y', features: [{ name: 'x', type: 'numeric' }, { name: 'color', type: 'categorical' }] },
      model: { hiddenUnits: [16], epochs, batchSize: 16, learningRate: 0.01, heartbeatTimeout: `${heartbeatTimeoutSeconds}s` },
      approval: { mode: 'auto' },
    });
    [main, child] = await Promise.all([runWorker(config), spawnTrainingWorker(config)]);
    client = await connectClient(config);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all([main?.close(), replacement?.close()]);
    await client?.connection.close();
    await rm(home, { recursive: true, force: true });
  });

  it('resumes on another worker from the last checkpoint after the training worker is killed, and registers one version', async () => {
    const handle = await startTrainingPipeline(client, parseSpec(spec('durable', 300), 'test'), { taskQueue: queue, workflowId: `durable-${Date.now()}` });
    const timeout = await waitFor('training to be scheduled', () => scheduledHeartbeatTimeout(handle));
    // trainingPipeline must schedule training with spec.model.heartbeatTimeout, or the kill goes unnoticed for minutes.
    expect(timeout).toBeLessThanOrEqual(heartbeatTimeoutSeconds);
    const beat = await waitFor('a heartbeat with a checkpoint', async () => {
      const h = await trainHeartbeat(handle);
      return h?.checkpoint && h.epoch >= 2 ? h : undefined;
    });

    child?.kill('SIGKILL');
    replacement = await runWorker(config, trainingQueue);
    const result = await handle.result();

    expect(result).toMatchObject({ deployed: true, version: 1 });
    const trained = await trainResult(handle);
    expect(trained.resumedFromEpoch).toBeGreaterThanOrEqual(beat.epoch);
    expect(trained.epochs).toBe(300);
    const model = await new FileModelRegistry(config.registryDir).getModel('durable');
    expect(model?.versions).toHaveLength(1);
    // The retry removed the dead attempt's checkpoint folder, and its own when it finished.
    expect(await readdir(path.join(config.workDir, 'checkpoints')).catch(() => [])).toEqual([]);
  });

  it('stops training and removes its checkpoints when the workflow is cancelled', async () => {
    replacement ??= await runWorker(config, trainingQueue);
    const handle = await startTrainingPipeline(client, parseSpec(spec('cancelled', 5000), 'test'), { taskQueue: queue, workflowId: `cancel-${Date.now()}` });
    const timeout = await waitFor('training to be scheduled', () => scheduledHeartbeatTimeout(handle));
    // Cancellation reaches the activity with its heartbeats, throttled by spec.model.heartbeatTimeout.
    expect(timeout).toBeLessThanOrEqual(heartbeatTimeoutSeconds);
    await waitFor('a heartbeat with a checkpoint', async () => ((await trainHeartbeat(handle))?.checkpoint ? true : undefined));

    await handle.cancel();
    await expect(handle.result()).rejects.toMatchObject({ cause: { name: 'CancelledFailure' } });
    const checkpoints = path.join(config.workDir, 'checkpoints');
    // The activity learns of the cancellation with its next heartbeat, stops the thread and cleans up.
    await waitFor('the checkpoint folder to be removed', async () => ((await readdir(checkpoints).catch(() => [])).length === 0 ? true : undefined), 15_000);
    const model = await new FileModelRegistry(config.registryDir).getModel('cancelled');
    expect(model).toBeUndefined();
  });
});
