/**
 * A real stack for integration tests: the dev server from the global setup, an in-process
 * worker on a queue of its own, the model server on a free port, and a temp MLOPS_HOME.
 */
import type { Client } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import type { ModelRegistry } from '../../src/registry/model-registry.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { bundleLoader } from '../../src/serving/registry-loader.js';
import { startServer } from '../../src/serving/server.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { startWorkerStack } from './worker-stack.js';

export interface Harness {
  readonly config: MlopsConfig;
  readonly client: Client;
  readonly registry: ModelRegistry;
  readonly serveUrl: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startHarness(queue: string): Promise<Harness> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-it-'));
  const config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), MLOPS_TASK_QUEUE: queue, MLOPS_LOG_LEVEL: 'warn' });
  const logger = createLogger('test', 'warn');
  const dataDir = path.join(home, 'data');
  await generateTrips({ outDir: dataDir, months: 2, rowsPerMonth: 1500, seed: 7, format: 'parquet' });

  const stack = await startWorkerStack(config, { baseDir: home });
  const registry = new FileModelRegistry(config.registryDir);
  const http = await startServer({
    registry,
    loadPredictor: bundleLoader(new FileArtifactStore(config.artifactsDir)),
    logger,
    port: 0,
    host: '127.0.0.1',
    pollMs: 200,
  });
  return {
    config,
    client: stack.client,
    registry,
    serveUrl: http.url,
    dataDir,
    async close() {
      await Promise.all([stack.close(), http.close()]);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A small, fast taxi spec over the harness's generated data. */
export function taxiSpec(h: Harness, overrides: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return {
    name: 'taxi-duration',
    task: 'regression',
    data: {
      source: path.join(h.dataDir, '*.parquet'),
      target: 'duration_min',
      features: [
        { name: 'trip_distance', type: 'numeric' },
        { name: 'hour', type: 'numeric' },
        { name: 'PULocationID', type: 'categorical' },
      ],
    },
    model: { hiddenUnits: [16], epochs: 3, batchSize: 128, learningRate: 0.01 },
    evaluation: { thresholds: { rmse: { upper: 1000 } } },
    ...overrides,
  };
}
