/**
 * A burst of trainings on one `mlops worker`: never more running at once than its training
 * slots (MLOPS_TRAINING_SLOTS), the rest wait in the training queue, and all complete.
 */
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next } from '@temporalio/worker';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { parseSpec } from '../../src/spec/parse.js';
import { connectClient } from '../../src/temporal/client.js';
import { startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { createMlopsWorker, trainingQueueOf, type MlopsWorkers } from '../../src/temporal/worker.js';
import type { Client } from '@temporalio/client';

/** Counts the `train` activities this process runs at the same time. */
class Concurrency {
  running = 0;
  peak = 0;
  finished = 0;
  readonly interceptor = (): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      execute: async (input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) => {
        this.running++;
        this.peak = Math.max(this.peak, this.running);
        try {
          return await next(input);
        } finally {
          this.running--;
          this.finished++;
        }
      },
    },
  });
}

describe('training slots of a worker', () => {
  const slots = 2;
  const runs = 5;
  let home: string;
  let config: MlopsConfig;
  let client: Client;
  let workers: MlopsWorkers;
  let running: Promise<void>;
  const training = new Concurrency();

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-slots-'));
    config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), MLOPS_TASK_QUEUE: `it-slots-${Date.now()}`, MLOPS_TRAINING_SLOTS: String(slots) });
    await generateTrips({ outDir: path.join(home, 'data'), months: 1, rowsPerMonth: 400, seed: 3, format: 'parquet' });
    // Only the training worker's activities pass through this interceptor: the main worker gets none.
    workers = await createMlopsWorker({
      config,
      logger: createLogger('test', 'warn'),
      baseDir: home,
      interceptors: { activity: [(ctx) => (ctx.info.activityType === 'train' ? training.interceptor() : {})] },
    });
    running = workers.worker.run();
    client = await connectClient(config);
  });

  afterAll(async () => {
    workers?.worker.shutdown();
    await running;
    await workers?.connection.close();
    await client?.connection.close();
    await rm(home, { recursive: true, force: true });
  });

  it(`runs ${runs} trainings started together ${slots} at a time at most, from the training queue, and completes them all`, async () => {
    expect(workers.trainingTaskQueue).toBe(trainingQueueOf(config.taskQueue));
    const spec = (i: number) =>
      parseSpec(
        {
          name: `slots-${i}`,
          task: 'regression',
          data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }, { name: 'hour', type: 'numeric' }] },
          model: { hiddenUnits: [8], epochs: 4, batchSize: 64 },
          approval: { mode: 'auto' },
        },
        'test',
      );
    const handles = await Promise.all(Array.from({ length: runs }, (_, i) => startTrainingPipeline(client, spec(i), { taskQueue: config.taskQueue })));
    const results = await Promise.all(handles.map((h) => h.result()));

    expect(results.map((r) => r.deployed)).toEqual(Array.from({ length: runs }, () => true));
    expect(training.finished).toBe(runs);
    expect(training.peak).toBeGreaterThanOrEqual(1);
    expect(training.peak).toBeLessThanOrEqual(slots);
    // Each training was scheduled on the training queue and ran in its first attempt: waiting in the queue set off no timeout.
    for (const handle of handles) {
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'train');
      expect(scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name).toBe(workers.trainingTaskQueue);
      const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId));
      expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(1);
    }
  });
});
