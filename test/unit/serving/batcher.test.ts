/**
 * Dynamic batching: concurrent small requests share one forward pass, each gets exactly its
 * own predictions, and one request's bad input never fails the others.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Predictor } from '../../../src/model/types.js';
import { DynamicBatcher } from '../../../src/serving/batcher.js';
import { startServer, type RunningServer } from '../../../src/serving/server.js';
import { FakePredictor, createFixture, features, instance, serverOptions, sleep, type Fixture } from './helpers.js';

/** A predictor that records the size of every forward pass. */
function counting(inner: Predictor): Predictor & { calls: number[] } {
  const calls: number[] = [];
  return {
    task: inner.task,
    features: inner.features,
    calls,
    predict(instances) {
      calls.push(instances.length);
      return inner.predict(instances);
    },
  };
}

const fake = () => counting(new FakePredictor({ task: 'regression', features, bias: 0 }));
const at = (d: number) => ({ ...instance, trip_distance: d });

describe('DynamicBatcher', () => {
  it('coalesces concurrent requests into bounded batches, each answered with its own predictions', async () => {
    const predictor = fake();
    const batcher = new DynamicBatcher({ maxBatchSize: 8 });
    const requests = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? [at(i), at(i + 0.5)] : [at(i)]));
    const results = await Promise.all(requests.map((r) => batcher.predict(predictor, r)));
    results.forEach((predictions, i) => expect(predictions).toEqual(requests[i]!.map((x) => x.trip_distance + 1))); // + passengers (1)
    expect(predictor.calls.reduce((a, b) => a + b, 0)).toBe(27);
    expect(predictor.calls.length).toBeLessThanOrEqual(5);
    expect(Math.max(...predictor.calls)).toBeLessThanOrEqual(8);
  });

  it('gives a bad request its own error and the others their answers', async () => {
    const predictor = fake();
    const batcher = new DynamicBatcher({ maxBatchSize: 16 });
    const results = await Promise.allSettled([batcher.predict(predictor, [at(1)]), batcher.predict(predictor, [at(2), { ...instance, passengers: 'two' }]), batcher.predict(predictor, [at(3)])]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: [2] });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/^instance 1: feature "passengers"/) } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: [4] });
  });

  it('waits up to maxWaitMs for company, and runs big requests alone', async () => {
    const predictor = fake();
    const batcher = new DynamicBatcher({ maxBatchSize: 4, maxWaitMs: 30 });
    const first = batcher.predict(predictor, [at(1)]);
    await sleep(5);
    const second = batcher.predict(predictor, [at(2)]);
    expect(await Promise.all([first, second])).toEqual([[2], [3]]);
    expect(predictor.calls).toEqual([2]);
    expect(await batcher.predict(predictor, [at(1), at(2), at(3), at(4), at(5)])).toHaveLength(5);
    expect(predictor.calls).toEqual([2, 5]);
  });

  it('answers submit through its callback once, never before submit returns, and keeps batches bounded', async () => {
    const predictor = fake();
    const batcher = new DynamicBatcher({ maxBatchSize: 3 });
    const answers: (number[] | undefined)[] = [];
    let returned = 0;
    const done = new Promise<void>((resolve) => {
      for (let i = 0; i < 5; i++) {
        batcher.submit(predictor, [at(i)], (err, predictions) => {
          expect(err).toBeUndefined();
          expect(returned).toBeGreaterThan(i);
          answers[i] = predictions as number[];
          if (answers.filter(Boolean).length === 5) resolve();
        });
        returned++;
      }
    });
    await done;
    expect(answers).toEqual([[1], [2], [3], [4], [5]]);
    expect(predictor.calls).toEqual([3, 2]);
  });

  it('never mixes model versions in one batch', async () => {
    const [a, b] = [fake(), fake()];
    const batcher = new DynamicBatcher();
    await Promise.all([batcher.predict(a, [at(1)]), batcher.predict(b, [at(1)]), batcher.predict(a, [at(2)])]);
    expect([a.calls, b.calls]).toEqual([[2], [1]]);
  });

  it('refuses nonsense options', () => {
    expect(() => new DynamicBatcher({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => new DynamicBatcher({ maxWaitMs: -1 })).toThrow(/maxWaitMs/);
  });
});

describe('batching over HTTP', () => {
  let fx: Fixture;
  let server: RunningServer;
  const predictors: (Predictor & { calls: number[] })[] = [];

  beforeEach(async () => {
    fx = await createFixture();
    await fx.addVersion('taxi', { bias: 10 }, { alias: 'production' });
    server = await startServer({
      ...serverOptions(fx),
      loadPredictor: async (ref) => {
        const p = counting(await fx.loadPredictor(ref));
        predictors.push(p);
        return p;
      },
      batching: { maxBatchSize: 32, maxWaitMs: 5 },
      port: 0,
    });
  });
  afterEach(async () => {
    await server.close();
    await fx.cleanup();
  });

  it('answers 60 concurrent single-instance requests with fewer forward passes, each correctly', async () => {
    const send = (d: number) =>
      fetch(`${server.url}/v1/models/taxi:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [at(d)] }) }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as { predictions: number[] } }),
      );
    await send(0); // load the model first, so the burst below is all predictions
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => send(i)));
    replies.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.body.predictions).toEqual([i + 11]);
    });
    const calls = predictors[0]!.calls.slice(1);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(60);
    expect(calls.length).toBeLessThan(30);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/mlops_serving_batch_instances_count \d+/);
    expect(metrics).toMatch(/mlops_serving_batch_requests_bucket\{le="1"\} \d+/);
  });
});
