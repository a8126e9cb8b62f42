/**
 * Several models at once under concurrent load, over real HTTP with real bundles (the loader
 * `mlops serve` uses): the production alias of both models moves back and forth while 12
 * clients keep predicting through both protocols. Every request answers 200, every answer
 * comes wholly from the version its `x-model-version` names, and batching is active.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeBundle } from '../../src/model/bundle.js';
import { createPredictor } from '../../src/model/predictor.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import type { ModelRegistry } from '../../src/registry/model-registry.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { bundleLoader } from '../../src/serving/registry-loader.js';
import { startServer, type RunningServer } from '../../src/serving/server.js';
import { demoBundle, demoInstances } from '../unit/serving/demo-bundle.js';

const models = ['taxi-a', 'taxi-b'];

describe('hot swap of several models under concurrent load', () => {
  let home: string;
  let registry: ModelRegistry;
  let server: RunningServer;
  /** Expected prediction for the probe instance, by `${model}@${version}`. */
  const expected = new Map<string, number>();
  const [probe] = demoInstances(1) as [Record<string, unknown>];

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'mlops-load-'));
    const store = new FileArtifactStore(path.join(home, 'artifacts'));
    registry = new FileModelRegistry(path.join(home, 'registry'));
    const dataset = await store.putBytes('x', '.csv');
    let seed = 1;
    for (const name of models) {
      for (let v = 1; v <= 2; v++) {
        const bundle = demoBundle(seed++);
        const ref = await store.putBytes(serializeBundle(bundle), '.model.json');
        await registry.registerVersion(name, { bundle: ref, metrics: { rmse: v }, lineage: { dataset, specHash: 's' }, idempotencyKey: `${name}-${v}` });
        expected.set(`${name}@${v}`, createPredictor(bundle).predict([probe])[0] as number);
      }
      await registry.setAlias(name, 'production', 1, 'test');
    }
    server = await startServer({
      registry,
      loadPredictor: bundleLoader(store),
      port: 0,
      pollMs: 20,
      defaultMetrics: false,
      inferenceLog: { dir: path.join(home, 'inference') },
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('answers every request, each from exactly one version, while both aliases move', async () => {
    const failures: string[] = [];
    const seen = new Map<string, number>();
    let stop = false;
    const client = async (i: number) => {
      const name = models[i % 2]!;
      const kserve = i % 3 === 0;
      while (!stop) {
        const res = await fetch(`${server.url}${kserve ? `/v2/models/${name}/infer` : `/v1/models/${name}:predict`}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            kserve
              ? { inputs: Object.entries(probe).map(([k, v]) => ({ name: k, shape: [1], datatype: typeof v === 'string' ? 'BYTES' : 'FP64', data: [v] })) }
              : { instances: [probe] },
          ),
        });
        const body = (await res.json()) as { predictions?: number[]; model_version?: string; outputs?: { data: number[] }[] };
        const version = kserve ? body.model_version : res.headers.get('x-model-version');
        const prediction = kserve ? body.outputs?.[0]?.data[0] : body.predictions?.[0];
        const key = `${name}@${version}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (res.status !== 200 || prediction !== expected.get(key)) failures.push(`${res.status} ${key} ${JSON.stringify(body).slice(0, 200)}`);
      }
    };
    const clients = Array.from({ length: 12 }, (_, i) => client(i));
    for (let swap = 0; swap < 6; swap++) {
      await sleep(100);
      for (const name of models) await registry.setAlias(name, 'production', swap % 2 === 0 ? 2 : 1, 'test');
    }
    await sleep(100);
    stop = true;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    for (const key of expected.keys()) expect(seen.get(key), key).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/mlops_serving_model_version\{model="taxi-a",alias="production"\} 1/); // 6 swaps: back at 1
    expect(metrics).toMatch(/mlops_serving_requests_total\{route="\/v2\/models\/:name\/infer",model="taxi-b",status="200"\} \d+/);
    expect(metrics).not.toMatch(/status="5\d\d"/);
  });
});
