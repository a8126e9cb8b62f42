import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import type { Predictor } from '../../../src/model/types.js';
import { HttpError } from '../../../src/serving/http-error.js';
import { ModelCache } from '../../../src/serving/model-cache.js';
import { createFixture, instance, sleep, type Fixture } from './helpers.js';

describe('ModelCache', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  const cacheOf = (pollMs = 1000, extra: Partial<ConstructorParameters<typeof ModelCache>[0]> = {}) =>
    new ModelCache({ registry: fx.registry, loadPredictor: (ref) => fx.loadPredictor(ref), pollMs, ...extra });

  it('serves the production version by default, a fixed version, or any label', async () => {
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('taxi', { bias: 100 }, { alias: 'staging' });
    const cache = cacheOf();
    const prod = await cache.resolve('taxi');
    expect(prod.version).toBe(1);
    expect(prod.predictor.predict([instance])).toEqual([3.5]);
    expect((await cache.resolve('taxi', { version: 2 })).predictor.predict([instance])).toEqual([103.5]);
    expect((await cache.resolve('taxi', { alias: 'staging' })).version).toBe(2);
  });

  it('loads each version once, even for concurrent requests', async () => {
    const v = await fx.addVersion('taxi', {}, { alias: 'production' });
    fx.loadDelayMs = 20;
    const cache = cacheOf(0);
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.resolve('taxi')));
    expect(new Set(results.map((r) => r.predictor)).size).toBe(1);
    await cache.resolve('taxi', { version: 1 });
    expect(fx.loads.get(v.bundle.sha256)).toBe(1);
    expect(cache.loadedVersions()).toEqual([{ name: 'taxi', version: 1 }]);
  });

  it('serves a fresh alias from memory and reads it again past pollMs', async () => {
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('taxi', { bias: 100 });
    const cache = cacheOf(300);
    const prod = await cache.resolve('taxi');
    await fx.registry.setAlias('taxi', 'production', 2, 'test');
    expect(await cache.resolve('taxi')).toBe(prod);
    await sleep(350);
    expect((await cache.resolve('taxi')).version).toBe(2);
    expect((await cache.resolve('taxi', { version: 2 })).predictor.predict([instance])).toEqual([103.5]);
  });

  it('404s an unknown model, version and label, naming what exists', async () => {
    await fx.addVersion('taxi', {}, { alias: 'production' });
    const cache = cacheOf();
    await expect(cache.resolve('nope')).rejects.toThrow(/^model "nope" is not in the registry; check the name(?!.*taxi)/);
    await expect(cache.resolve('taxi', { version: 9 })).rejects.toThrow(/no version 9 \(versions: 1\)/);
    await expect(cache.resolve('taxi', { alias: 'staging' })).rejects.toThrow(/no version labelled "staging" \(labels: production\)/);
    await expect(cache.resolve('taxi', { alias: 'constructor' })).rejects.toMatchObject({ type: 'ModelNotFound' });
    await expect(cache.resolve('../x')).rejects.toMatchObject({ type: 'BadRequest' });
  });

  it('says how to get a production version when there is none', async () => {
    await fx.addVersion('taxi', {});
    const err = await cacheOf()
      .resolve('taxi')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlopsError);
    expect((err as MlopsError).type).toBe('ModelNotFound');
    expect((err as Error).message).toMatch(/no production version yet.*mlops approve.*mlops promote taxi/);
  });

  it('follows the alias after pollMs, and at once after refresh()', async () => {
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    const swaps: string[] = [];
    const cache = cacheOf(80, { onServe: (name, alias, version, previous) => swaps.push(`${name}/${alias}:${previous}->${version}`) });
    expect((await cache.resolve('taxi')).version).toBe(1);
    await fx.addVersion('taxi', { bias: 1 }, { alias: 'production' });
    expect((await cache.resolve('taxi')).version).toBe(1); // still trusted
    await sleep(100);
    expect((await cache.resolve('taxi')).version).toBe(2);

    await fx.addVersion('taxi', { bias: 2 }, { alias: 'production' });
    cache.refresh('taxi');
    expect((await cache.resolve('taxi')).version).toBe(3);
    expect(swaps).toEqual(['taxi/production:undefined->1', 'taxi/production:1->2', 'taxi/production:2->3']);
  });

  it('a refresh() during a registry read forces another read', async () => {
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let loading = () => {};
    const started = new Promise<void>((r) => (loading = r));
    const cache = cacheOf(60_000, {
      loadPredictor: async (ref): Promise<Predictor> => {
        loading();
        await gate;
        return fx.loadPredictor(ref);
      },
    });
    const first = cache.resolve('taxi');
    await started; // the registry was read; v1 is loading
    await fx.addVersion('taxi', { bias: 1 }, { alias: 'production' });
    cache.refresh();
    release();
    expect((await first).version).toBe(1);
    expect((await cache.resolve('taxi')).version).toBe(2);
  });

  it('keeps answering with the old version while the new one loads', async () => {
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    const cache = cacheOf(0);
    await cache.resolve('taxi');
    await fx.addVersion('taxi', { bias: 1 }, { alias: 'production' });
    fx.loadDelayMs = 50;
    const first = cache.resolve('taxi'); // starts loading v2
    await sleep(10);
    expect((await cache.resolve('taxi')).version).toBe(1);
    expect((await first).version).toBe(2);
    expect((await cache.resolve('taxi')).version).toBe(2);
  });

  it('keeps the old version when the new bundle fails to load, and retries later', async () => {
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    let fail = false;
    const cache = cacheOf(0, {
      loadPredictor: async (ref): Promise<Predictor> => {
        if (fail) throw new Error('bundle is truncated');
        return fx.loadPredictor(ref);
      },
    });
    await cache.resolve('taxi');
    await fx.addVersion('taxi', { bias: 1 }, { alias: 'production' });
    fail = true;
    expect((await cache.resolve('taxi')).version).toBe(1);
    const err = await cache.resolve('taxi', { version: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).statusCode).toBe(503);
    expect((err as Error).message).toMatch(/version 2 could not be loaded \(bundle is truncated\)/);
    fail = false;
    expect((await cache.resolve('taxi')).version).toBe(2);
  });

  it('keeps at most maxModels versions, least recently used leave first; an evicted alias loads again', async () => {
    for (let i = 0; i < 3; i++) await fx.addVersion(`m${i}`, { bias: i }, { alias: 'production' });
    const evicted: string[] = [];
    const loads: string[] = [];
    const cache = cacheOf(1000, { maxModels: 2, onEvict: (name, v) => evicted.push(`${name}@${v}`), onLoad: (name, v) => loads.push(`${name}@${v}`) });
    await cache.resolve('m0');
    await cache.resolve('m1');
    await cache.resolve('m0'); // m1 is now the least recently used
    await cache.resolve('m2');
    expect(cache.loadedVersions()).toEqual([{ name: 'm0', version: 1 }, { name: 'm2', version: 1 }]);
    expect(evicted).toEqual(['m1@1']);
    // The alias that served m1 forgot it: its next request is a cold load.
    expect((await cache.resolve('m1')).predictor.predict([instance])).toEqual([4.5]);
    expect(loads).toEqual(['m0@1', 'm1@1', 'm2@1', 'm1@1']);
    expect(cache.size().models).toBe(2);
  });

  it('keeps at most maxBytes of artifacts loaded', async () => {
    const versions = [];
    for (let i = 0; i < 4; i++) versions.push(await fx.addVersion('taxi', { bias: i }));
    const bytes = versions[0]!.bundle.bytes;
    const cache = cacheOf(1000, { maxBytes: bytes * 2 + 1 });
    for (const { version } of versions) await cache.resolve('taxi', { version });
    expect(cache.loadedVersions().map((v) => v.version)).toEqual([3, 4]);
    expect(cache.size().bytes).toBeLessThanOrEqual(bytes * 2 + 1);
    expect(() => cacheOf(1000, { maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => cacheOf(1000, { maxModels: 1.5 })).toThrow(/maxModels/);
  });

  it('disposes an evicted predictor, but only once the requests holding it released it', async () => {
    await fx.addVersion('a', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('b', { bias: 1 }, { alias: 'production' });
    const disposed: number[] = [];
    const cache = cacheOf(1000, {
      maxModels: 1,
      loadPredictor: async (ref): Promise<Predictor> => {
        const inner = await fx.loadPredictor(ref);
        const bias = (await inner.predict([instance]))[0] as number;
        return Object.assign(Object.create(inner) as Predictor, { dispose: () => void disposed.push(bias) });
      },
    });
    const held = await cache.acquire('a');
    await cache.resolve('b'); // a is held: it stays loaded past the bound
    expect(cache.loadedVersions().map((v) => v.name)).toEqual(['a', 'b']);
    await sleep(5);
    expect(disposed).toEqual([]);
    held.release(); // now a leaves, and is disposed
    held.release(); // a second release changes nothing
    await sleep(5);
    expect(cache.loadedVersions().map((v) => v.name)).toEqual(['b']);
    expect(disposed).toEqual([3.5]);
    const c = await cache.acquire('a'); // a cold load evicts b (not held)
    await sleep(5);
    expect(disposed).toEqual([3.5, 4.5]);
    expect(c.predictor.predict([instance])).toEqual([3.5]);
    c.release();
  });

  it('a version held by a request is never evicted under it; it leaves once released', async () => {
    await fx.addVersion('a', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('b', { bias: 1 }, { alias: 'production' });
    let disposedA = false;
    const cache = cacheOf(1000, {
      maxModels: 1,
      loadPredictor: async (ref): Promise<Predictor> => {
        const inner = await fx.loadPredictor(ref);
        const isA = (await inner.predict([instance]))[0] === 3.5;
        return Object.assign(Object.create(inner) as Predictor, { dispose: () => void (disposedA ||= isA) });
      },
    });
    await cache.resolve('a');
    // b loads while a is held.
    const [lease] = await Promise.all([cache.acquire('a'), cache.acquire('b').then((l) => l.release())]);
    await sleep(5);
    expect(disposedA).toBe(false);
    expect(lease.predictor.predict([instance])).toEqual([3.5]);
    lease.release();
    await sleep(5);
    expect(cache.loadedVersions().map((v) => v.name)).toEqual(['b']);
  });

  it('rejects a negative pollMs', () => {
    expect(() => cacheOf(-1)).toThrow(/pollMs/);
  });
});
