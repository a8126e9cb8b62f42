/**
 * The model server against a client that lies, floods or dawdles: feedback only for predictions
 * this server issued, once, within the model's classes or target range, bounded per call and
 * guarded by its own token; well-formed Unicode only; a non-finite prediction is not a 200;
 * slow bodies are cut off; empty or short tokens refused; a corrupt registry file is a 503.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedbackLedger } from '../../../src/serving/feedback-ledger.js';
import { widenedRange } from '../../../src/serving/label-range.js';
import { limitsFromEnv, resolveLimits } from '../../../src/serving/limits.js';
import { buildServer, startServer } from '../../../src/serving/server.js';
import { addServingModels, createFixture, instance, serverOptions, type Fixture } from './helpers.js';

let fx: Fixture;
let app: FastifyInstance;
let dir: string;
const predictToken = 'predict-token-0123';
const feedbackToken = 'feedback-token-4567';

beforeEach(async () => {
  fx = await createFixture();
  dir = path.join(fx.dir, 'inference');
  await addServingModels(fx);
  // taxi v3 carries a data schema: its target lies in [0, 100].
  const schema = await fx.store.putBytes(JSON.stringify({ version: 1, columns: [{ name: 'duration', kind: 'numeric', role: 'target', range: { min: 0, max: 100 } }] }), '.json');
  const v1 = (await fx.registry.resolve('taxi', { version: 1 }))!;
  const v3 = await fx.registry.registerVersion('taxi', { bundle: v1.bundle, metrics: {}, lineage: v1.lineage, schema, idempotencyKey: 'with-schema' });
  await fx.registry.setAlias('taxi', 'production', v3.version, 'test');
  app = buildServer({ ...serverOptions(fx), store: fx.store, inferenceLog: { dir }, token: predictToken, feedbackToken, limits: { maxFeedbackItems: 5 } });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  await fx.cleanup();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (url: string, payload: unknown, headers: Record<string, string> = auth(predictToken)) =>
  app.inject({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers: { 'content-type': 'application/json', ...headers } });
const feedback = (payload: unknown) => post('/v1/models/taxi:feedback', payload, auth(feedbackToken));
const predictId = async (model = 'taxi', count = 1) => (await post(`/v1/models/${model}:predict`, { instances: Array(count).fill(instance) })).headers['x-request-id'] as string;

async function loggedLabels(model: string): Promise<unknown[]> {
  await app.close();
  const folder = path.join(dir, model, 'feedback');
  const files = await readdir(folder).catch(() => []);
  const rows = (await Promise.all(files.map((f) => readFile(path.join(folder, f), 'utf8')))).join('').split('\n').filter(Boolean);
  return rows.map((r) => JSON.parse(r).label);
}

describe('feedback you can trust', () => {
  it('keeps the first label: the same again is a no-op, a different one a 409', async () => {
    const id = await predictId();
    expect((await feedback({ request_id: id, label: 12 })).json()).toEqual({ recorded: 1 });
    expect((await feedback({ request_id: id, label: 12 })).json()).toEqual({ recorded: 0, repeated: 1 });
    const conflict = await feedback({ request_id: id, label: 99 });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error).toMatch(/already has the label 12; the first label is kept/);
    // Within one call too, and nothing of a refused call is kept.
    const other = await predictId();
    expect((await feedback([{ request_id: other, label: 1 }, { request_id: other, label: 2 }])).statusCode).toBe(409);
    expect(await loggedLabels('taxi')).toEqual([12]);
  });

  it('accepts labels only for ids it issued, for that model, at an index inside the request', async () => {
    const id = await predictId('taxi', 2);
    const churnId = await predictId('churn');
    expect((await feedback({ request_id: 'made-up-id', label: 3 })).statusCode).toBe(404);
    expect((await feedback({ request_id: churnId, label: 3 })).statusCode).toBe(404);
    const beyond = await feedback({ request_id: id, index: 2, label: 3 });
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().error).toMatch(/"index" 2 is outside the request, which had 2 instance\(s\)/);
    expect((await feedback({ request_id: id, index: 9_007_199_254_740_991, label: 3 })).statusCode).toBe(400);
    expect((await feedback({ request_id: id, index: 1, label: 3 })).statusCode).toBe(200);
  });

  it('a client-chosen x-request-id keys nothing: two predictions with the same one get two ids', async () => {
    const a = await post('/v1/models/taxi:predict', { instances: [instance] }, { ...auth(predictToken), 'x-request-id': 'mine' });
    const b = await post('/v1/models/taxi:predict', { instances: [{ ...instance, trip_distance: 50 }] }, { ...auth(predictToken), 'x-request-id': 'mine' });
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    expect((await feedback({ request_id: 'mine', label: 3 })).statusCode).toBe(404);
  });

  it('refuses labels outside the target range (1e300) or the classes, and too many in one call', async () => {
    const id = await predictId();
    const huge = await feedback({ request_id: id, label: 1e300 });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error).toMatch(/outside the target's accepted range \[-1000, 1100\]/);
    expect((await feedback({ request_id: id, label: 1050 })).statusCode).toBe(200);
    const churnId = await predictId('churn');
    const wrongClass = await post('/v1/models/churn:feedback', { request_id: churnId, label: 'x'.repeat(10_000) }, auth(feedbackToken));
    expect(wrongClass.statusCode).toBe(400);
    expect(wrongClass.json().error).toMatch(/must be one of the model's classes \("stays", "churns"\)/);
    expect(wrongClass.json().error.length).toBeLessThan(300);
    const many = await feedback(Array(6).fill({ request_id: id, label: 1 }));
    expect(many.statusCode).toBe(413);
    expect(many.json().error).toMatch(/at most 5 are allowed per call/);
  });

  it('with MLOPS_FEEDBACK_TOKEN, the predict token does not authorise feedback (and the other way round)', async () => {
    const id = await predictId();
    expect((await post('/v1/models/taxi:feedback', { request_id: id, label: 1 }, auth(predictToken))).statusCode).toBe(401);
    expect((await post('/v1/models/taxi:predict', { instances: [instance] }, auth(feedbackToken))).statusCode).toBe(401);
    const res = await post('/v1/models/taxi:feedback', { request_id: id, label: 1 }, auth(predictToken));
    expect(res.json().error).toMatch(/MLOPS_FEEDBACK_TOKEN/);
  });

  it('forgets the oldest predictions past its bound and its window', () => {
    let now = 0;
    const ledger = new FeedbackLedger({ maxRequests: 2, windowMs: 1000 }, () => now);
    ledger.issue('a', 'm', 1);
    ledger.issue('b', 'm', 1);
    ledger.issue('c', 'm', 1);
    expect(() => ledger.accept('m', [{ requestId: 'a', index: 0, label: 1 }])).toThrow(/is not a prediction/);
    expect(ledger.accept('m', [{ requestId: 'b', index: 0, label: 1 }])).toHaveLength(1);
    now = 1001;
    expect(() => ledger.accept('m', [{ requestId: 'c', index: 0, label: 1 }])).toThrow(/is not a prediction/);
    expect(widenedRange(0, 100)).toEqual({ min: -1000, max: 1100 });
  });
});

describe('well-formed input only', () => {
  it('answers a lone surrogate in any string or key with a 400, and logs nothing', async () => {
    for (const body of [
      '{"instances":[{"trip_distance":1,"passengers":1,"PULocationID":"\\ud800"}]}',
      '{"instances":[{"trip_distance":1,"passengers":1,"PULocationID":"ok","\\udfff":1}]}',
      '{"inputs":{"PULocationID":["a\\ud83d"],"trip_distance":[1],"passengers":[1]}}',
    ]) {
      const res = await post('/v1/models/taxi:predict', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(/not well-formed Unicode .* at (instances\[0\]|a key of|inputs)/);
    }
    // A proper pair (an emoji) is fine.
    expect((await post('/v1/models/taxi:predict', '{"instances":[{"trip_distance":1,"passengers":1,"PULocationID":"\\ud83d\\ude00"}]}')).statusCode).toBe(200);
    await app.close();
    const files = await readdir(path.join(dir, 'taxi'));
    const text = (await Promise.all(files.filter((f) => f.endsWith('.ndjson')).map((f) => readFile(path.join(dir, 'taxi', f), 'utf8')))).join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('answers a prediction that is not a finite number with a 422, not null with a 200', async () => {
    const res = await post('/v1/models/taxi:predict', { instances: [instance, { trip_distance: 1.7e308, passengers: 1.7e308, PULocationID: 'x' }] });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatch(/output for instance 1 is not a finite number/);
  });
});

describe('server limits and tokens', () => {
  it('refuses an empty or short token instead of turning auth off', () => {
    for (const token of ['', 'short', 'has space in it']) {
      expect(() => buildServer({ ...serverOptions(fx), token })).toThrow(/MLOPS_SERVE_TOKEN token must be at least 8 characters/);
      expect(() => buildServer({ ...serverOptions(fx), feedbackToken: token })).toThrow(/MLOPS_FEEDBACK_TOKEN token must be at least 8/);
    }
  });

  it('reads the limits from MLOPS_SERVE_* and refuses nonsense', () => {
    expect(limitsFromEnv({ MLOPS_SERVE_REQUEST_TIMEOUT: '5s', MLOPS_SERVE_BODY_LIMIT: '1024', MLOPS_SERVE_MAX_FEEDBACK: '10' })).toEqual({ requestTimeoutMs: 5000, bodyLimit: 1024, maxFeedbackItems: 10 });
    expect(() => limitsFromEnv({ MLOPS_SERVE_REQUEST_TIMEOUT: 'soon' })).toThrow(/MLOPS_SERVE_REQUEST_TIMEOUT="soon" is not a duration/);
    expect(() => limitsFromEnv({ MLOPS_SERVE_BODY_LIMIT: '-1' })).toThrow(/positive whole number/);
    expect(() => resolveLimits({ headersTimeoutMs: 60_000, requestTimeoutMs: 1000 })).toThrow(/must not exceed requestTimeoutMs/);
    expect(resolveLimits().requestTimeoutMs).toBe(30_000);
  });

  it('cuts off a client that sends its body a byte at a time (requestTimeout was 0)', async () => {
    const server = await startServer({ ...serverOptions(fx), port: 0, limits: { requestTimeoutMs: 1500, headersTimeoutMs: 1000 } });
    try {
      const { port } = new URL(server.url);
      const started = Date.now();
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write('POST /v1/models/taxi:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
      const timer = setInterval(() => socket.write('{'), 300);
      const closedAfter = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
      clearInterval(timer);
      // Cut near the limit (1.5 s plus Node's 1-s check), far below the 20 s a dawdler would otherwise get.
      expect(closedAfter).toBeLessThan(8000);
    } finally {
      await server.close();
    }
  });
});

describe('a corrupt registry file', () => {
  it('is a 503 naming the file, not a 500', async () => {
    const file = path.join(fx.dir, 'registry', 'taxi.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length / 2));
    const res = await app.inject({ method: 'GET', url: '/v1/models/taxi/metadata', headers: auth(predictToken) });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/registry file .*taxi\.json is not valid JSON/);
  });
});
