/** The model server with a bounded model cache: cold loads on /metrics, eviction, and release of evicted predictors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictor } from '../../../src/model/types.js';
import type { ArtifactRef } from '../../../src/registry/artifact-store.js';
import { buildServer } from '../../../src/serving/server.js';
import { createFixture, instance, serverOptions, type Fixture } from './helpers.js';

describe('a model server bounded to one model', () => {
  let fx: Fixture;
  const disposed: string[] = [];
  let app: ReturnType<typeof buildServer>;

  beforeAll(async () => {
    fx = await createFixture();
    await fx.addVersion('a', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('b', { bias: 1 }, { alias: 'production' });
    const load = async (ref: ArtifactRef): Promise<Predictor> => {
      const inner = await fx.loadPredictor(ref);
      return Object.assign(Object.create(inner) as Predictor, { dispose: () => void disposed.push(ref.sha256) });
    };
    app = buildServer({ ...serverOptions(fx), loadPredictor: load, maxModels: 1 });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await fx.cleanup();
  });

  const predict = (name: string) => app.inject({ method: 'POST', url: `/v1/models/${name}:predict`, payload: { instances: [instance] } });

  it('answers every request, loading evicted models again, and counts cold loads and evictions', async () => {
    for (const name of ['a', 'b', 'a', 'a', 'b']) expect((await predict(name)).statusCode).toBe(200);
    expect((await predict('b')).json()).toEqual({ predictions: [4.5] });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/mlops_serving_model_loads_seconds_count\{model="a"\} 2/);
    expect(metrics).toMatch(/mlops_serving_model_loads_seconds_count\{model="b"\} 2/);
    expect(metrics).toMatch(/mlops_serving_model_evictions_total\{model="a"\} 2/);
    expect(metrics).toMatch(/mlops_serving_loaded_models 1/);
    await new Promise((r) => setTimeout(r, 10));
    // Every evicted predictor was released once its request was done.
    expect(disposed).toHaveLength(3);
  });

  it('refuses a bound that is not a positive whole number', () => {
    expect(() => buildServer({ ...serverOptions(fx), maxModels: 0 })).toThrow(/--max-models/);
    expect(() => buildServer({ ...serverOptions(fx), maxModelBytes: -1 })).toThrow(/--max-model-bytes/);
  });
});
