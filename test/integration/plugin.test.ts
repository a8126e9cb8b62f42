/** A user's own Worker and Client, configured by MlopsPlugin alone. */
import { Client, Connection } from '@temporalio/client';
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
});
