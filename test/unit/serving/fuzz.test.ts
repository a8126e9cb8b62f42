/**
 * Random paths, methods, content types and JSON bodies: the server answers every one with a
 * status below 500, and every error as `{ "error": string }`. Seeded, so failures replay.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/serving/server.js';
import { createFixture, instance, type Fixture } from './helpers.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const segments = ['taxi', 'churn', 'draft', 'nope', 'Taxi', '..', '%2E%2E%2Fx', '%ZZ', '%00', '%F0%9F%92%A5', 'a:b', '', '1', '0', '-1', '99999999999', 'production', 'staging', 'constructor', '__proto__', 'x'.repeat(120)];
const templates = [
  '/v1/models/$:predict',
  '/v1/models/$/versions/$:predict',
  '/v1/models/$/labels/$:predict',
  '/v1/models/$',
  '/v1/models/$/metadata',
  '/v1/models/$/versions/$',
  '/v2/models/$',
  '/v2/models/$/ready',
  '/v2/models/$/infer',
  '/v2/models/$/versions/$/infer',
  '/v2/health/$',
  '/$/$',
  '/metrics',
];
const contentTypes = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''];
const datatypes = ['FP64', 'FP32', 'INT64', 'BYTES', 'BOOL', 'FLOAT', 7];

describe('fuzz', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  beforeAll(async () => {
    fx = await createFixture();
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('churn', { task: 'classification' }, { alias: 'production' });
    await fx.addVersion('draft', {});
    app = buildServer({ registry: fx.registry, loadPredictor: (ref) => fx.loadPredictor(ref), bodyLimit: 32 * 1024, maxInstances: 50, defaultMetrics: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await fx.cleanup();
  });

  it('never answers 5xx', async () => {
    const random = mulberry32(20240611);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const int = (n: number) => Math.floor(random() * n);

    const value = (depth: number): unknown => {
      switch (int(depth > 2 ? 5 : 8)) {
        case 0: return null;
        case 1: return random() * 200 - 100;
        case 2: return pick(['', '132', 'x', '\u0000', '💥']);
        case 3: return random() < 0.5;
        case 4: return int(3);
        case 5: return Array.from({ length: int(4) }, () => value(depth + 1));
        case 6: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['trip_distance', 'passengers', 'PULocationID', 'a', '']), value(depth + 1)]));
        default: return { ...instance, [pick(Object.keys(instance))]: value(depth + 1) };
      }
    };
    const tensor = () => ({ name: pick(['trip_distance', 'passengers', 'PULocationID', '', 5]), shape: pick([[1], [2], [1, 1], [0], [-1], 'x', [1, 2]]), datatype: pick(datatypes), data: value(1) });
    const body = (): string => {
      switch (int(7)) {
        case 0: return JSON.stringify({ instances: Array.from({ length: int(5) }, () => value(1)) });
        case 1: return JSON.stringify({ instances: Array.from({ length: 1 + int(3) }, () => ({ ...instance })) });
        case 2: return JSON.stringify({ inputs: Object.fromEntries(Object.keys(instance).map((k) => [k, value(1)])) });
        case 3: return JSON.stringify({ inputs: Array.from({ length: int(4) }, tensor), outputs: random() < 0.2 ? [{ name: pick(['predictions', 'x']) }] : undefined });
        case 4: return JSON.stringify(value(0));
        case 5: return pick(['{', '{"instances": [1,}', 'nul', '\u0000', '{"__proto__": {"a": 1}}', '{"constructor": {"prototype": {}}}', '']);
        default: return JSON.stringify({ instances: Array(60).fill(instance) });
      }
    };

    const failures: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const url = pick(templates).replace(/\$/g, () => (random() < 0.5 ? pick(['taxi', 'churn', '1', 'production']) : pick(segments))) + (random() < 0.1 ? '?x=%ZZ&y' : '');
      const method = pick(['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD']) as 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
      const contentType = pick(contentTypes);
      const payload = method === 'GET' || method === 'HEAD' ? undefined : body();
      const res = await app.inject({ method, url, payload, headers: contentType ? { 'content-type': contentType } : {} });
      const label = `${method} ${url} [${contentType}] ${payload?.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (res.statusCode >= 500) failures.push(label);
      else if (res.statusCode >= 400 && method !== 'HEAD') {
        const error = (JSON.parse(res.body) as { error?: unknown }).error;
        if (typeof error !== 'string' || error.length < 10) failures.push(`no error message: ${label}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
