/**
 * Over real HTTP: a newly promoted production version is served within pollMs without a
 * restart, no request fails while the alias moves, and close() lets in-flight requests finish.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serving/server.js';
import { createFixture, instance, serverOptions, sleep, type Fixture } from './helpers.js';

const pollMs = 100;

describe('serving over HTTP', () => {
  let fx: Fixture;
  let server: RunningServer;

  beforeEach(async () => {
    fx = await createFixture();
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    server = await startServer({ ...serverOptions(fx), pollMs, port: 0 });
  });
  afterEach(async () => {
    await server.close();
    await fx.cleanup();
  });

  const predict = async (name = 'taxi') => {
    const res = await fetch(`${server.url}/v1/models/${name}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [instance] }),
    });
    return { status: res.status, version: res.headers.get('x-model-version'), body: (await res.json()) as { predictions?: number[] } };
  };

  it('swaps to a newly promoted version without failing a request', async () => {
    expect((await predict()).version).toBe('1');
    fx.loadDelayMs = 30; // a model that takes a moment to load
    const seen: { status: number; version: string | null; prediction?: number; at: number }[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const r = await predict();
        seen.push({ status: r.status, version: r.version, prediction: r.body.predictions?.[0], at: Date.now() });
      }
    };
    const workers = Array.from({ length: 4 }, worker);

    await sleep(50);
    const v2 = await fx.addVersion('taxi', { bias: 1000 });
    await fx.registry.setAlias('taxi', 'production', v2.version, 'test');
    const promotedAt = Date.now();
    await sleep(pollMs + 250);
    stop = true;
    await Promise.all(workers);

    expect(seen.filter((r) => r.status !== 200)).toEqual([]);
    // Each answer comes wholly from one version.
    for (const r of seen) expect(r.prediction).toBe(r.version === '1' ? 3.5 : 1003.5);
    const firstV2 = seen.find((r) => r.version === '2');
    expect(firstV2).toBeDefined();
    expect(firstV2!.at - promotedAt).toBeLessThan(pollMs + 200);
    // Once v2 answered, v1 never answers again (give or take requests already in flight).
    const lastV1 = seen.filter((r) => r.version === '1').at(-1);
    expect(lastV1!.at).toBeLessThanOrEqual(firstV2!.at + 50);
    expect((await predict()).version).toBe('2');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/mlops_serving_model_version\{model="taxi",alias="production"\} 2/);
  });

  it('close() lets an in-flight request finish', async () => {
    await fx.addVersion('slow', {}, { alias: 'production' });
    fx.loadDelayMs = 200;
    const inFlight = predict('slow');
    await sleep(50);
    await server.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.predictions).toEqual([3.5]);
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } }); // closed: nothing listens any more
  });
});
