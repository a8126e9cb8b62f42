/**
 * `model.type: command` on a real dev server: the user's PyTorch script (examples/command/train.py)
 * trains on the CSV it is handed, and the pipeline deploys and serves its model.onnx; a training
 * worker killed with SIGKILL mid-training hands over to another, which restores the checkpoint
 * folder and the script resumes from it; cancelling ends the command's whole process group; a
 * failing script's stderr and exit code reach the workflow; a sweep hands each trial's values.
 *
 * Training goes to the GPU queue (`model.gpu: true`), served by a child-process worker (killed
 * in the durability test) and then by a replacement in this process. (`mlops worker --gpu`
 * insists on a GPU TensorFlow backend; these workers poll the GPU queue without it.)
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { CommandHeartbeat } from '../../src/model/kinds/command/train.js';
import { programHash } from '../../src/model/kinds/command/program-hash.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { bundleLoader } from '../../src/serving/registry-loader.js';
import { startServer } from '../../src/serving/server.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { connectClient } from '../../src/temporal/client.js';
import { startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { hyperparameterSweep } from '../../workflows/hyperparameter-sweep.js';
import { spawnWorkerProcess, startWorker, type RunningWorker } from './worker-stack.js';
import { trainResult, waitFor } from './workflow-probes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = path.join(root, 'examples/command');
const fixtures = path.join(root, 'test/integration/fixtures/command');
/** Debian's Python, with torch and onnx (a pyenv python3 on PATH may lack them). */
const python = '/usr/bin/python3';
const queue = 'it-command';
const gpuQueue = 'it-command-gpu';
const heartbeatTimeout = '3s';
/** Per test: PyTorch alone takes 10-20 s to load on a loaded 2-core machine. */
const testTimeoutMs = 300_000;

/** A training worker in a child process on the GPU queue, so it can die like a crashed host. */
function spawnTrainingWorker(config: MlopsConfig): Promise<ChildProcess> {
  return spawnWorkerProcess(config, { MLOPS_TASK_QUEUE: queue, MLOPS_GPU_TASK_QUEUE: gpuQueue, MLOPS_ALLOW_COMMANDS: '1' }, { gpu: true });
}

/** The train activity's pending state: its last heartbeat, attempt and last failure. */
async function pendingTrain(handle: WorkflowHandle): Promise<{ beat?: CommandHeartbeat; attempt: number; lastFailure?: string } | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'train');
  if (!pending) return undefined;
  const payload = pending.heartbeatDetails?.payloads?.[0];
  return {
    beat: payload ? defaultPayloadConverter.fromPayload<CommandHeartbeat>(payload) : undefined,
    attempt: pending.attempt ?? 1,
    lastFailure: pending.lastFailure?.message ?? undefined,
  };
}

/** Whether a process runs (a zombie left for a container's init to reap does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('model.type command on a real dev server', () => {
  let home: string;
  let config: MlopsConfig;
  let client: Client;
  let main: RunningWorker;
  let replacement: RunningWorker | undefined;
  let child: ChildProcess | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  let spec: (name: string, model: Record<string, unknown>) => PipelineSpecInput;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-command-'));
    config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), MLOPS_TASK_QUEUE: queue, MLOPS_GPU_TASK_QUEUE: gpuQueue, MLOPS_ALLOW_COMMANDS: '1' });
    // duration ≈ 3 × distance + 0.5 × hour
    const rows = Array.from({ length: 300 }, (_, i) => {
      const distance = (i * 7919) % 100 / 10;
      const hour = (i * 31) % 24;
      return `${distance},${hour},${(3 * distance + 0.5 * hour + ((i % 5) - 2) * 0.1).toFixed(3)}`;
    });
    await writeFile(path.join(home, 'trips.csv'), ['distance,hour,duration', ...rows, ''].join('\n'));
    spec = (name, model) => ({
      name,
      task: 'regression',
      data: { source: path.join(home, 'trips.csv'), target: 'duration', features: [{ name: 'distance', type: 'numeric' }, { name: 'hour', type: 'numeric' }] },
      model: { type: 'command', command: [python, 'train.py'], workDir: example, dataFormat: 'csv', gpu: true, heartbeatTimeout, ...model },
      evaluation: { thresholds: { rmse: { upper: 1e6 } } },
      approval: { mode: 'auto' },
    });
    [main, child] = await Promise.all([startWorker(config, { baseDir: home }), spawnTrainingWorker(config)]);
    client = await connectClient(config);
    server = await startServer({
      registry: new FileModelRegistry(config.registryDir),
      loadPredictor: bundleLoader(new FileArtifactStore(config.artifactsDir)),
      logger: createLogger('test', 'warn'),
      port: 0,
      host: '127.0.0.1',
      pollMs: 200,
    });
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all([main?.close(), replacement?.close(), server?.close()]);
    await client?.connection.close();
    await rm(home, { recursive: true, force: true });
  });

  it('trains with the PyTorch script on the GPU queue, deploys its model.onnx and serves it', async () => {
    const handle = await startTrainingPipeline(client, parseSpec(spec('trips-torch', { hyperparameters: { epochs: 30, lr: 0.05 } }), 'test'), { taskQueue: queue, workflowId: `command-${Date.now()}` });
    const result = await handle.result();
    expect(result).toMatchObject({ deployed: true, version: 1 });
    const trained = await trainResult(handle);
    expect(trained).toMatchObject({ kind: 'command', epochs: 30, resumedFromEpoch: 0 });

    const version = (await new FileModelRegistry(config.registryDir).getModel('trips-torch'))?.versions[0];
    expect(version?.lineage).toMatchObject({
      trainer: 'command',
      hyperparameters: { epochs: 30, lr: 0.05 },
      command: { argv: [python, 'train.py'], workDir: example, program: await programHash([python, 'train.py'], example) },
    });

    const res = await waitFor('the model server to serve version 1', async () => {
      const r = await fetch(`${server.url}/v1/models/trips-torch:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [{ distance: 1, hour: 2 }, { distance: 9, hour: 20 }] }),
      });
      return r.status === 200 ? r : undefined;
    }, 30_000);
    const { predictions } = (await res.json()) as { predictions: number[] };
    expect(predictions).toHaveLength(2);
    // 3 × 9 + 10 = 37 against 3 + 1 = 4: a trained model tells them apart.
    expect((predictions[1] as number) - (predictions[0] as number)).toBeGreaterThan(10);
  }, testTimeoutMs);

  it('resumes from the checkpoint folder on another worker after the training worker is killed', async () => {
    const handle = await startTrainingPipeline(client, parseSpec(spec('trips-durable', { hyperparameters: { epochs: 12, epochSeconds: 1 } }), 'test'), { taskQueue: queue, workflowId: `command-durable-${Date.now()}` });
    const saved = await waitFor('a heartbeat with a checkpoint of epoch 2 or later', async () => {
      const beat = (await pendingTrain(handle))?.beat;
      return beat?.checkpoint && (beat.checkpointEpoch ?? 0) >= 2 ? beat : undefined;
    });
    child?.kill('SIGKILL');
    replacement = await startWorker(config, { baseDir: home, taskQueue: gpuQueue });

    // The script reports the epoch it resumed from in each progress line.
    const resumed = await waitFor('progress of the retried attempt', async () => {
      const pending = await pendingTrain(handle);
      return pending && pending.attempt > 1 && typeof pending.beat?.progress?.['resumedFrom'] === 'number' && pending.beat.progress['resumedFrom'] > 0 ? pending.beat : undefined;
    });
    expect(resumed.progress?.['resumedFrom']).toBeGreaterThanOrEqual(saved.checkpointEpoch ?? 0);
    const trained = await waitFor('training to complete', () => trainResult(handle).catch(() => undefined));
    expect(trained.resumedFromEpoch).toBeGreaterThanOrEqual(saved.checkpointEpoch ?? 0);
    expect(trained.epochs).toBe(12);
    // The retry removed the dead attempt's folder, and its own when it finished.
    expect(await readdir(path.join(config.workDir, 'commands')).catch(() => [])).toEqual([]);
    expect(await handle.result()).toMatchObject({ deployed: true, version: 1 });
  }, testTimeoutMs);

  it('ends the whole process group when the workflow is cancelled', async () => {
    replacement ??= await startWorker(config, { baseDir: home, taskQueue: gpuQueue });
    const pidFile = path.join(home, 'pids.txt');
    const handle = await startTrainingPipeline(client, parseSpec(spec('trips-cancelled', { command: [python, 'linear.py'], workDir: fixtures, hyperparameters: { pidFile, sleep: 300 } }), 'test'), { taskQueue: queue, workflowId: `command-cancel-${Date.now()}` });
    await waitFor('progress', async () => ((await pendingTrain(handle))?.beat?.progress ? true : undefined));
    const pids = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.every(running)).toBe(true);

    await handle.cancel();
    await expect(handle.result()).rejects.toMatchObject({ cause: { name: 'CancelledFailure' } });
    // The script and the child it started (same process group) are gone, and so is the attempt's folder.
    await waitFor('the processes to end', async () => (pids.some(running) ? undefined : true), 20_000);
    await waitFor('the attempt folder to be removed', async () => ((await readdir(path.join(config.workDir, 'commands')).catch(() => [])).length === 0 ? true : undefined), 20_000);
  }, testTimeoutMs);

  it("reports a failing script's exit code and stderr", async () => {
    replacement ??= await startWorker(config, { baseDir: home, taskQueue: gpuQueue });
    const handle = await startTrainingPipeline(client, parseSpec(spec('trips-failing', { command: [python, 'linear.py'], workDir: fixtures, hyperparameters: { fail: 3 } }), 'test'), { taskQueue: queue, workflowId: `command-fail-${Date.now()}` });
    // Retryable: the attempt's failure is on the pending activity while the retry waits.
    const failure = await waitFor('the first failure', async () => (await pendingTrain(handle))?.lastFailure);
    expect(failure).toContain('model.command ["/usr/bin/python3","linear.py"] exited with code 3');
    expect(failure).toContain('ValueError: the learning rate is negative');
    await handle.terminate('test done');
  }, testTimeoutMs);

  it("a sweep hands each trial's values in MLOPS_HYPERPARAMETERS and picks the best", async () => {
    replacement ??= await startWorker(config, { baseDir: home, taskQueue: gpuQueue });
    const log = path.join(home, 'trials.jsonl');
    const input = parseSpec({ ...spec('trips-sweep', { command: [python, 'linear.py'], workDir: fixtures, hyperparameters: { b: 0, log } }), sweep: { parameters: { w: [1, 3.5] }, metric: 'rmse' } }, 'test');
    const handle = await client.workflow.start(hyperparameterSweep, { args: [{ spec: input }], taskQueue: queue, workflowId: `command-sweep-${Date.now()}` });
    const result = await handle.result();
    const handed = (await readFile(log, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { hyperparameters: Record<string, unknown> }).hyperparameters);
    expect(handed.map((h) => h['w']).sort()).toEqual([1, 3.5]);
    expect(handed.every((h) => h['b'] === 0 && h['log'] === log)).toBe(true);
    expect(result.best.params).toEqual({ w: 3.5 });
    expect(result.bestModel).toMatchObject({ type: 'command', hyperparameters: { w: 3.5, b: 0, log } });
  }, testTimeoutMs);
});
