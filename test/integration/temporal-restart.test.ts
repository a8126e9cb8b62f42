/**
 * The Temporal server dies mid-pipeline: a dev server of this file's own, on fixed ports and a
 * SQLite file of its own, is killed with SIGKILL while training runs, stays down for a moment,
 * then starts again on the same ports and file. The pipeline carries on from what the database
 * held, the same in-process worker (never restarted) reconnects on its own, and the approve
 * signal still deploys, once.
 *
 * What the worker survives (Temporal's Rust core, measured here): its pollers retry a refused
 * connection without limit and pick up where they were once the server answers; an activity
 * result is retried 10 times over about 20 s and then dropped ("Network error while completing
 * activity"), after which only the activity's timeout gets the step run again. Every step
 * heartbeats and has a one-minute heartbeat timeout (activities/keep-alive.ts), so the second
 * test, a longer outage that swallows a step's result, waits about a minute, not the 30-minute
 * start-to-close.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withKeepAlive } from '../../activities/keep-alive.js';
import type { TrainHeartbeat } from '../../activities/train.js';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { errorMessage } from '../../src/errors.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { parseSpec } from '../../src/spec/parse.js';
import { freePorts, startDevServer, type DevServer, type DevServerOptions } from '../../src/temporal/dev-server.js';
import { approve, pipelineStatus, startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { workflowsPath } from '../../src/temporal/plugin.js';
import { findTemporalCli } from '../../src/temporal/temporal-cli.js';
import { gate, stubActivities, stubSpec } from '../workflows/stub-activities.js';
import { stepHeartbeatTimeout } from '../../workflows/step-options.js';
import { startWorkerStack, type WorkerStack } from './worker-stack.js';
import type { PipelineStatus } from '../../workflows/messages.js';

const queue = 'it-restart';
/** A few seconds of training, so the kill lands after an epoch and before the end; it may end during the outage. */
const epochs = 150;
/** How long the server stays dead: every poller and heartbeat meets a refused connection. */
const outageMs = 2_000;
/** Longer than the ~20 s the worker retries an activity's result before dropping it. */
const longOutageMs = 30_000;

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Polls `probe` until it returns a value; errors (the server is away, the worker not yet back) count as "not yet". */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = ` (last error: ${errorMessage(err)})`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The train activity's last heartbeat the server recorded. */
async function trainHeartbeat(handle: WorkflowHandle): Promise<TrainHeartbeat | undefined> {
  const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'train');
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<TrainHeartbeat>(payload) : undefined;
}

function acceptsTcp(address: string): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function eventTime(e: HistoryEvent): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
}

/** How many times each activity type completed, from the history. */
function completedActivities(events: HistoryEvent[]): Record<string, number> {
  const typeOf = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType?.name ?? '?']));
  const counts: Record<string, number> = {};
  for (const e of events) {
    const scheduled = e.activityTaskCompletedEventAttributes?.scheduledEventId;
    if (scheduled === undefined || scheduled === null) continue;
    const type = typeOf.get(String(scheduled)) ?? '?';
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

describe('a Temporal dev server killed with SIGKILL mid-pipeline and restarted on its SQLite file', () => {
  let home: string;
  let config: MlopsConfig;
  let serverOptions: DevServerOptions;
  let server: DevServer | undefined;
  let stack: WorkerStack;
  let worker: WorkerStack['worker'];
  let client: Client;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-restart-'));
    const cliPath = inject('temporalCliPath') || (await findTemporalCli({ allowBuild: false, allowDownload: false })).path;
    // Fixed ports: the restarted server must come back where the worker and client look for it.
    const [port, uiPort] = await freePorts('127.0.0.1', 2);
    serverOptions = {
      cliPath,
      port,
      uiPort,
      dbFile: path.join(home, 'temporal.sqlite'),
      logFile: path.join(home, 'server.log'),
      log: () => {},
    };
    server = await startDevServer(serverOptions);
    config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: server.address, MLOPS_TASK_QUEUE: queue, MLOPS_LOG_LEVEL: 'error' });
    await generateTrips({ outDir: path.join(home, 'data'), months: 2, rowsPerMonth: 1500, seed: 7, format: 'parquet' });
    // The runtime logs each failed poll while the server is away; only errors matter here.
    stack = await startWorkerStack(config, { baseDir: home, logLevel: 'error' });
    ({ worker, client } = stack);
  });

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('resumes the pipeline, takes the approve signal and deploys exactly once, with the same worker', async () => {
    const spec = parseSpec(
      {
        name: 'taxi-restart',
        task: 'regression',
        data: {
          source: path.join(home, 'data', '*.parquet'),
          target: 'duration_min',
          features: [
            { name: 'trip_distance', type: 'numeric' },
            { name: 'hour', type: 'numeric' },
            { name: 'PULocationID', type: 'categorical' },
          ],
        },
        model: { hiddenUnits: [16], epochs, batchSize: 128, learningRate: 0.01 },
        evaluation: { thresholds: { rmse: { upper: 1000 } } },
        approval: { mode: 'manual' },
      },
      'test',
    );
    const handle = await startTrainingPipeline(client, spec, { taskQueue: queue, workflowId: `restart-${Date.now()}` });

    // Mid-pipeline: ingest and validate are done, training is running and has reported an epoch.
    const beat = await waitFor('a training heartbeat', async () => {
      const heartbeat = await trainHeartbeat(handle);
      return heartbeat && heartbeat.epoch >= 1 ? heartbeat : undefined;
    }, 30_000);
    expect(beat.epoch).toBeLessThan(epochs);
    expect((await pipelineStatus(handle)).stage).toBe('training');

    const killed = server!;
    const killedAt = Date.now();
    process.kill(killed.pid, 'SIGKILL');
    await killed.stop(); // resolves once the process has exited
    expect(isAlive(killed.pid)).toBe(false);
    expect(await acceptsTcp(killed.address)).toBe(false);
    await new Promise((r) => setTimeout(r, outageMs));

    server = await startDevServer(serverOptions);
    expect(server.address).toBe(killed.address);
    expect(server.pid).not.toBe(killed.pid);

    // The new process knows the run and its finished steps only from the SQLite file.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const before = ((await handle.fetchHistory()).events ?? []).filter((e) => eventTime(e) < killedAt);
    expect(completedActivities(before)).toMatchObject({ ingest: 1, validate: 1 });

    // Progress from here on comes only from the worker that lived through the outage.
    const waiting = await waitFor<PipelineStatus>(
      'the pipeline to reach awaiting-approval',
      async () => {
        const status = await pipelineStatus(handle);
        if (status.stage === 'failed') throw new Error(`the pipeline failed: ${status.error}`);
        return status.stage === 'awaiting-approval' ? status : undefined;
      },
      40_000,
    );
    expect(waiting.training?.epochs).toBe(epochs);
    expect(worker.getState()).toBe('RUNNING');

    await approve(handle, 'ana', 'after the restart');
    const result = await handle.result();
    expect(result).toMatchObject({ model: 'taxi-restart', deployed: true, version: 1 });
    expect(result.decision.approval).toMatchObject({ decision: 'approved', reviewer: 'ana', comment: 'after the restart' });

    const model = await new FileModelRegistry(config.registryDir).getModel('taxi-restart');
    expect(model?.aliases.production).toBe(1);
    expect(model?.versions).toHaveLength(1);
    expect(model?.versions[0]?.approval).toMatchObject({ reviewer: 'ana', comment: 'after the restart', workflowId: handle.workflowId });

    // One history, every step completed once. Training usually finishes in its first attempt (the
    // worker carried it through the outage); on a loaded machine the server may time that attempt
    // out first, and then the retry resumed from a checkpoint rather than starting over.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(completedActivities(events)).toEqual({ ingest: 1, validate: 1, train: 1, evaluate: 1, deploy: 1 });
    const trainScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'train')!;
    const trainStarted = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(trainScheduled.eventId));
    const attempt = trainStarted?.activityTaskStartedEventAttributes?.attempt;
    if (attempt !== 1) {
      expect(attempt).toBe(2);
      expect(waiting.training?.resumedFromEpoch).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'approve')).toHaveLength(1);
    const identities = new Set(events.flatMap((e) => [e.workflowTaskCompletedEventAttributes?.identity, e.activityTaskStartedEventAttributes?.identity]).filter(Boolean));
    expect([...identities]).toEqual([worker.options.identity]);
  });

  it('runs a step again when a long outage swallowed its result, after the step heartbeat timeout', async () => {
    // A worker of real workflows and stub activities; validate finishes while the server is down.
    const stubs = stubActivities();
    const released = gate();
    const started = gate();
    let validateRuns = 0;
    const validate = withKeepAlive(async (input: Parameters<typeof stubs.validate>[0]) => {
      validateRuns++;
      if (validateRuns === 1) {
        started.open();
        await released.promise;
      }
      return stubs.validate(input);
    });
    const connection = await NativeConnection.connect({ address: server!.address });
    const stubWorker = await Worker.create({ connection, taskQueue: `${queue}-lost-result`, workflowsPath, activities: { ...stubs, validate } });
    const running = stubWorker.run();
    try {
      const handle = await client.workflow.start('trainingPipeline', {
        args: [stubSpec('lost-result', { approval: { mode: 'auto' } })],
        taskQueue: `${queue}-lost-result`,
        workflowId: `lost-result-${Date.now()}`,
      });
      await started.promise;
      const killed = server!;
      process.kill(killed.pid, 'SIGKILL');
      await killed.stop();
      const killedAt = Date.now();
      released.open(); // its result now meets a dead server, and is given up on
      await new Promise((r) => setTimeout(r, longOutageMs));
      server = await startDevServer(serverOptions);

      // Within 100 s of the kill; without a step heartbeat timeout the lost step waits 30 minutes.
      await waitFor('the pipeline to finish', async () => ((await handle.describe()).status.name === 'RUNNING' ? undefined : true), 100_000 - (Date.now() - killedAt));
      const result = (await handle.result()) as { deployed: boolean; version: number };
      expect(result).toMatchObject({ deployed: true, version: 1 });
      expect(validateRuns).toBe(2);

      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
      const validateScheduled = scheduled.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'validate')!;
      const validateStarted = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(validateScheduled.eventId));
      expect(validateStarted?.activityTaskStartedEventAttributes?.attempt).toBe(2);
      expect(completedActivities(events)).toEqual({ ingest: 1, validate: 1, train: 1, evaluate: 1, deploy: 1 });
      // Every short step carries the heartbeat timeout that made this possible.
      const heartbeatTimeouts = Object.fromEntries(scheduled.map((e) => [e.activityTaskScheduledEventAttributes!.activityType!.name, Number(e.activityTaskScheduledEventAttributes!.heartbeatTimeout?.seconds)]));
      expect(stepHeartbeatTimeout).toBe('1 minute');
      expect(heartbeatTimeouts).toEqual({ ingest: 60, validate: 60, train: 120, evaluate: 60, deploy: 60 });
    } finally {
      stubWorker.shutdown();
      await running;
      await connection.close();
    }
  }, 180_000);
});
