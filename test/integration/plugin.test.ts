/** A user's own Worker and Client, configured by MlopsPlugin alone. */
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig, MlopsPlugin, type PipelineResult } from '../../src/index.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';

describe('MlopsPlugin', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-plugin-'));
    await generateTrips({ outDir: path.join(home, 'data'), months: 1, rowsPerMonth: 1000, seed: 3 });
  });
  afterAll(async () => rm(home, { recursive: true, force: true }));

  it("registers the workflows and activities on a plain Worker", { timeout: 40_000 }, async () => {
    const address = inject('temporalAddress');
    const config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: address });
    const plugin = new MlopsPlugin({ config, baseDir: home });

    // What a user writes: their own connection, worker and client, plus the plugin.
    const connection = await NativeConnection.connect({ address });
    const worker = await Worker.create({ connection, taskQueue: 'it-plugin', plugins: [plugin] });
    const client = new Client({ connection: await Connection.connect({ address }), plugins: [plugin] });

    const spec = {
      name: 'plugin-model',
      task: 'regression',
      data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }] },
      model: { hiddenUnits: [8], epochs: 2, batchSize: 64 },
      approval: { mode: 'auto' },
    };
    const result = await worker.runUntil(
      client.workflow.execute('trainingPipeline', { args: [spec], taskQueue: 'it-plugin', workflowId: `plugin-${Date.now()}` }) as Promise<PipelineResult>,
    );
    expect(result).toMatchObject({ model: 'plugin-model', deployed: true, version: 1 });
    expect((await new FileModelRegistry(config.registryDir).resolve('plugin-model'))?.version).toBe(1);
    await client.connection.close();
    await connection.close();
  });

  it('on a fresh namespace without the search attributes, keeps the Worker\'s own workflows and runs ours beside them', { timeout: 60_000 }, async () => {
    const address = inject('temporalAddress');
    const namespace = `fresh-${Date.now()}`;
    const admin = await Connection.connect({ address });
    await admin.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    await waitForNamespace(admin, namespace);
    const config = loadConfig({ MLOPS_HOME: path.join(home, 'fresh'), TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace });
    const plugin = new MlopsPlugin({ config, baseDir: home });

    const connection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue: 'it-plugin-fresh',
      workflowsPath: path.resolve('test/integration/fixtures/user-workflows.ts'),
      plugins: [plugin],
    });
    const client = new Client({ connection: admin, namespace, plugins: [plugin] });
    const spec = {
      name: 'fresh-model',
      task: 'regression',
      data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }] },
      model: { hiddenUnits: [4], epochs: 1 },
      approval: { mode: 'auto' },
    };
    const [greeting, result] = await worker.runUntil(
      Promise.all([
        client.workflow.execute('greet', { args: ['ana'], taskQueue: 'it-plugin-fresh', workflowId: `greet-${Date.now()}`, workflowExecutionTimeout: '20s' }),
        client.workflow.execute('trainingPipeline', { args: [spec], taskQueue: 'it-plugin-fresh', workflowId: `fresh-${Date.now()}`, workflowExecutionTimeout: '50s' }) as Promise<PipelineResult>,
      ]),
    );
    expect(greeting).toBe('hello, ana');
    expect(result).toMatchObject({ model: 'fresh-model', deployed: true, version: 1 });
    await admin.close();
    await connection.close();
  });
});

/** A namespace registered a moment ago answers once the server's namespace cache has it. */
async function waitForNamespace(connection: Connection, namespace: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
