/**
 * Random paths, methods, content types, headers (request ids, bearer tokens) and JSON bodies,
 * against a server with auth, batching and the inference log on: the server answers every one
 * with a status below 500, and every error as `{ "error": string }`. Seeded, so failures replay.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/serving/server.js';
import { rng as mulberry32 } from '../model/fixtures.js';
import { createFixture, instance, serverOptions, type Fixture } from './helpers.js';

const segments = ['taxi', 'churn', 'draft', 'nope', 'Taxi', '..', '%2E%2E%2Fx', '%ZZ', '%00', '%F0%9F%92%A5', 'a:b', '', '1', '0', '-1', '99999999999', 'production', 'staging', 'constructor', '__proto__', 'x'.repeat(120)];
const templates = [
  '/v1/models/$:predict',
  '/v1/models/$/versions/$:predict',
  '/v1/models/$/labels/$:predict',
  '/v1/models/$',
  '/v1/models/$/metadata',
  '/v1/models/$/versions/$',
  '/v1/models/$:feedback',
  '/v1/models/$/versions/$:feedback',
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

const token = 'fuzz-token-123';

describe('fuzz', () => {
  let fx: Fixture;
  let server: RunningServer;
  beforeAll(async () => {
    fx = await createFixture();
    await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
    await fx.addVersion('churn', { task: 'classification' }, { alias: 'production' });
    await fx.addVersion('draft', {});
    server = await startServer({
      ...serverOptions(fx),
      port: 0,
      bodyLimit: 32 * 1024,
      maxInstances: 50,
      token,
      inferenceLog: { dir: path.join(fx.dir, 'inference') },
    });
  });
  afterAll(async () => {
    await server.close();
    await fx.cleanup();
  });

  /** fastify's inject() skips the network; real HTTP goes through node:http's parser and the client's checks too. */
  const transports = {
    inject: async (method: string, url: string, headers: Record<string, string>, payload?: string) => {
      const res = await server.app.inject({ method: method as 'GET', url, payload, headers });
      return { status: res.statusCode, body: res.body };
    },
    http: async (method: string, url: string, headers: Record<string, string>, payload?: string) => {
      const res = await fetch(`${server.url}${url}`, { method, headers, body: payload }).catch(() => undefined);
      return res ? { status: res.status, body: await res.text() } : undefined; // undefined: the client refused to send it
    },
  };

  it.each([
    ['inject', 1000],
    ['http', 400],
  ] as const)('never answers 5xx (%s)', async (transport, count) => {
    const random = mulberry32(transport === 'inject' ? 20240611 : 20240612);
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
    const feedback = () => ({ request_id: pick(['abc', '', 'x'.repeat(200), 'a b', 7, null]), label: value(1), ...(random() < 0.3 ? { index: pick([0, 1, -1, 1.5, 'x']) } : {}) });
    const body = (): string => {
      switch (int(9)) {
        case 7: return JSON.stringify(random() < 0.5 ? feedback() : Array.from({ length: int(4) }, feedback));
        case 8: return JSON.stringify({ feedback: random() < 0.8 ? Array.from({ length: int(60) }, feedback) : value(1) });
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
    const statuses: Record<number, number> = {};
    for (let i = 0; i < count; i++) {
      const url = pick(templates).replace(/\$/g, () => (random() < 0.7 ? pick(['taxi', 'churn', '1', 'production']) : pick(segments))) + (random() < 0.1 ? '?x=%ZZ&y' : '');
      const method = pick(['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD']) as 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
      const contentType = pick(contentTypes);
      const payload = method === 'GET' || method === 'HEAD' ? undefined : body();
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      headers.authorization = random() < 0.85 ? `Bearer ${token}` : pick(['Bearer nope', token, 'Basic abc', '', `bearer ${token}`]);
      if (random() < 0.3) headers['x-request-id'] = pick(['req-1', '', 'a b', 'x'.repeat(200), '💥', '../../etc']);
      const res = await transports[transport](method, url, headers, payload);
      if (!res) continue;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const label = `${method} ${url} [${contentType}] ${payload?.slice(0, 120)} → ${res.status} ${res.body.slice(0, 200)}`;
      if (res.status >= 500) failures.push(label);
      else if (res.status >= 400 && method !== 'HEAD') {
        const error = (JSON.parse(res.body) as { error?: unknown }).error;
        if (typeof error !== 'string' || error.length < 10) failures.push(`no error message: ${label}`);
      }
    }
    expect(statuses[200]).toBeGreaterThan(count / 100);
    expect(failures).toEqual([]);
  });

  it('keeps an inference log of whole, parseable JSON lines, whatever came in', async () => {
    await server.close();
    const { readdir, readFile } = await import('node:fs/promises');
    const files = await readdir(path.join(fx.dir, 'inference'), { recursive: true });
    const logs = files.filter((f) => f.endsWith('.ndjson'));
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) {
      for (const line of (await readFile(path.join(fx.dir, 'inference', f), 'utf8')).trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    }
  });
});
