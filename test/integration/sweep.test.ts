/**
 * hyperparameterSweep on a real dev server: it finds the configuration known to be best, and
 * trainingPipeline deploys the winner of a spec's sweep. The workflow's branches (failed trials,
 * all failing, cancellation) are tested with stub activities in test/workflows/hyperparameter-sweep.test.ts.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { activityDepsFor } from '../../src/temporal/plugin.js';
import type { ModelRegistry } from '../../src/registry/model-registry.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { sweepStatusQuery, type hyperparameterSweep } from '../../workflows/hyperparameter-sweep.js';
import { regressionData } from '../unit/model/fixtures.js';

const queue = 'it-sweep';

describe('hyperparameterSweep', () => {
  let home: string;
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  let client: Client;
  let registry: ModelRegistry;
  const data = () => ({ source: path.join(home, 'line.csv'), target: 'y', features: [{ name: 'x', type: 'numeric' as const }, { name: 'color', type: 'categorical' as const }] });

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-sweep-'));
    const { x = [], color = [], y = [] } = regressionData(400).columns;
    await writeFile(path.join(home, 'line.csv'), ['x,color,y', ...x.map((v, i) => `${v},${color[i]},${y[i]}`), ''].join('\n'));
    const config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), MLOPS_TASK_QUEUE: queue });
    connection = await NativeConnection.connect({ address: config.temporalAddress });
    worker = await Worker.create({
      connection,
      taskQueue: queue,
      workflowsPath: createRequire(import.meta.url).resolve('../../workflows/index.ts'),
      activities: createActivities(activityDepsFor({ config, baseDir: home, logger: createLogger('test', 'warn') })),
    });
    running = worker.run();
    registry = new FileModelRegistry(config.registryDir);
    client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }) });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await Promise.all([connection?.close(), client?.connection.close()]);
    await rm(home, { recursive: true, force: true });
  });

  it('runs every grid trial in parallel, reports failed ones, and picks the known-best configuration', async () => {
    const spec: PipelineSpecInput = { name: 'line', task: 'regression', data: data(), model: { hiddenUnits: [16], epochs: 6, batchSize: 16 } };
    // A learning rate of 1e-5 barely moves the weights in 6 epochs; 0.05 fits the line. A batch
    // larger than the data fails its trials, which the sweep reports and survives.
    const sweep = { parameters: { learningRate: [0.00001, 0.05], batchSize: [16, 5000] }, concurrency: 2 };
    const handle = await client.workflow.start<typeof hyperparameterSweep>('hyperparameterSweep', {
      args: [{ spec, sweep }],
      taskQueue: queue,
      workflowId: `sweep-${Date.now()}`,
    });
    const result = await handle.result();

    expect(result).toMatchObject({ model: 'line', metric: 'rmse', direction: 'minimize' });
    // Grid order follows the model fields: batchSize varies slowest.
    expect(result.trials.map((t) => [t.params.batchSize, t.params.learningRate, t.status])).toEqual([
      [16, 0.00001, 'completed'],
      [16, 0.05, 'completed'],
      [5000, 0.00001, 'failed'],
      [5000, 0.05, 'failed'],
    ]);
    expect(result.trials[2]?.error).toMatch(/model\.batchSize \(5000\) is larger than the \d+ rows training fits on/);
    expect(result.best).toMatchObject({ trial: 2, params: { learningRate: 0.05, batchSize: 16 }, evaluatedOn: 'validation' });
    const [slow, fast] = [result.trials[0]?.objective as number, result.trials[1]?.objective as number];
    expect(fast).toBeLessThan(slow / 2);
    expect(result.best.objective).toBe(fast);
    expect(result.best.training.bundle.uri).toMatch(/\.model\.json$/);
    expect(result.best.training.lineage.hyperparameters).toMatchObject({ learningRate: 0.05, batchSize: 16 });
    expect(result.bestModel).toMatchObject({ hiddenUnits: [16], epochs: 6, learningRate: 0.05, batchSize: 16 });
    expect(await handle.query(sweepStatusQuery)).toMatchObject({ stage: 'done', total: 4, completed: 2, failed: 2, best: { trial: 2 } });
  });

  it('fails fast, before training, when the sweep names an impossible value', async () => {
    const spec: PipelineSpecInput = { name: 'bad', task: 'regression', data: { source: path.join(home, 'line.csv'), target: 'y', features: [{ name: 'x', type: 'numeric' }] } };
    const handle = await client.workflow.start<typeof hyperparameterSweep>('hyperparameterSweep', {
      args: [{ spec, sweep: { parameters: { learningRate: [0.01, -1] } } }],
      taskQueue: queue,
      workflowId: `sweep-bad-${Date.now()}`,
    });
    await expect(handle.result()).rejects.toMatchObject({ cause: { cause: { message: expect.stringMatching(/sweep\.parameters\.learningRate\.1: model\.learningRate must be > 0/) } } });
  });

  it('trainingPipeline trains the sweep winner, evaluates it on the test split and deploys it', async () => {
    const spec: PipelineSpecInput = {
      name: 'swept',
      task: 'regression',
      data: data(),
      model: { hiddenUnits: [16], epochs: 5, batchSize: 16 },
      sweep: { parameters: { learningRate: [0.00001, 0.05] } },
      approval: { mode: 'auto' },
    };
    const handle = await client.workflow.start('trainingPipeline', { args: [spec], taskQueue: queue, workflowId: `swept-${Date.now()}` });
    const result = (await handle.result()) as { deployed: boolean; metrics: Record<string, number> };
    expect(result.deployed).toBe(true);
    const version = (await registry.getModel('swept'))?.versions[0];
    expect(version?.lineage.hyperparameters).toMatchObject({ learningRate: 0.05 });
    expect(version?.metrics.rmse).toBe(result.metrics.rmse);
  });
});
