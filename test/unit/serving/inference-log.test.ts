/**
 * The inference log and feedback: every predicted instance is one NDJSON row under
 * `<dir>/<model>/<date>.ndjson` with its request id; feedback rows join on (request_id, index);
 * DuckDB reads both as tables; files rotate by size; close() flushes.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataEngine } from '../../../src/data/engine.js';
import { InferenceLog, type FeedbackRow, type PredictionRow } from '../../../src/serving/inference-log.js';
import { buildServer } from '../../../src/serving/server.js';
import { addServingModels, createFixture, features, instance, serverOptions, type Fixture } from './helpers.js';

const today = () => new Date().toISOString().slice(0, 10);

async function rows<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
}

describe('inference log and feedback', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let dir: string;

  beforeEach(async () => {
    fx = await createFixture();
    dir = path.join(fx.dir, 'inference');
    await addServingModels(fx);
    app = buildServer({ ...serverOptions(fx), inferenceLog: { dir, flushIntervalMs: 20 } });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await fx.cleanup();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers: { 'content-type': 'application/json', ...headers } });

  it('logs each predicted instance with model, version, alias, features, output, time and request id', async () => {
    const a = await post('/v1/models/taxi:predict', { instances: [instance, { ...instance, trip_distance: null, PULocationID: 7 }] });
    const b = await post('/v1/models/taxi/versions/2:predict', { instances: [instance] }, { 'x-request-id': 'client-id-1' });
    const c = await post('/v2/models/churn/infer', {
      inputs: [
        { name: 'trip_distance', shape: [1], datatype: 'FP64', data: [5] },
        { name: 'passengers', shape: [1], datatype: 'FP64', data: [1] },
        { name: 'PULocationID', shape: [1], datatype: 'BYTES', data: ['1'] },
      ],
    });
    expect(a.json()).toEqual({ predictions: expect.any(Array) });
    expect(a.headers['x-request-id']).toEqual(expect.any(String));
    expect(b.headers['x-request-id']).toBe('client-id-1');
    expect(c.statusCode).toBe(200);
    expect(c.json().id).toBe(c.headers["x-request-id"]);
    await app.close();

    const taxi = await rows<PredictionRow>(path.join(dir, 'taxi', `${today()}.ndjson`));
    expect(taxi).toHaveLength(3);
    expect(taxi[0]).toMatchObject({ request_id: a.headers['x-request-id'], index: 0, model: 'taxi', version: 1, alias: 'production', features: instance, prediction: 3.5 });
    expect(taxi[1]).toMatchObject({ request_id: a.headers['x-request-id'], index: 1, features: { trip_distance: null, passengers: 1, PULocationID: '7' } });
    expect(taxi[2]).toMatchObject({ request_id: 'client-id-1', index: 0, version: 2, alias: null, prediction: 103.5 });
    expect(Date.now() - Date.parse(taxi[0]!.time)).toBeLessThan(60_000);
    const [churn] = await rows<PredictionRow>(path.join(dir, 'churn', `${today()}.ndjson`));
    expect(churn).toMatchObject({ request_id: c.headers['x-request-id'], model: 'churn', prediction: 'churns', probabilities: { stays: expect.any(Number), churns: expect.any(Number) } });
  });

  it('records feedback by request id, one item or several, and DuckDB joins it to the predictions', async () => {
    const a = await post('/v1/models/taxi:predict', { instances: [instance, { ...instance, trip_distance: 10 }] });
    const id = a.headers['x-request-id'] as string;
    expect((await post('/v1/models/taxi:feedback', { request_id: id, label: 4 })).json()).toEqual({ recorded: 1 });
    expect((await post('/v1/models/taxi:feedback', [{ request_id: id, index: 1, label: 12.5 }])).json()).toEqual({ recorded: 1 });
    expect((await post('/v1/models/churn:feedback', { feedback: [{ request_id: 'r1', label: 'stays' }, { request_id: 'r2', label: true }] })).json()).toEqual({ recorded: 2 });
    await app.close();

    const feedback = await rows<FeedbackRow>(path.join(dir, 'taxi', 'feedback', `${today()}.ndjson`));
    expect(feedback.map(({ request_id, index, label, model }) => ({ request_id, index, label, model }))).toEqual([
      { request_id: id, index: 0, label: 4, model: 'taxi' },
      { request_id: id, index: 1, label: 12.5, model: 'taxi' },
    ]);
    expect((await rows<FeedbackRow>(path.join(dir, 'churn', 'feedback', `${today()}.ndjson`))).map((r) => r.label)).toEqual(['stays', 'true']);

    const engine = await DataEngine.open({ threads: 1, memoryLimit: '256MB' });
    try {
      const joined = await engine.rows(`
        SELECT p.index, p.version, p.features.trip_distance, p.features.PULocationID, p.prediction, f.label, p.time
        FROM read_json('${path.join(dir, 'taxi', '*.ndjson')}') p
        JOIN read_json('${path.join(dir, 'taxi', 'feedback', '*.ndjson')}') f USING (request_id, index)
        ORDER BY p.index`);
      expect(joined).toMatchObject([
        { index: 0n, version: 1n, trip_distance: 2.5, PULocationID: '132', prediction: 3.5, label: 4 },
        { index: 1n, trip_distance: 10, prediction: 11, label: 12.5 },
      ]);
      expect(joined[0]!.time).toBeInstanceOf(Date);
    } finally {
      engine.close();
    }
  });

  it.each([
    ['no request_id', { label: 3 }, 400, /"request_id" must be the request id/],
    ['a request_id with spaces', { request_id: 'a b', label: 3 }, 400, /"request_id"/],
    ['a text label for a regression', { request_id: 'r', label: 'long' }, 400, /"label" must be the true value as a number/],
    ['a missing label', { request_id: 'r' }, 400, /"label" must be/],
    ['a negative index', { request_id: 'r', index: -1, label: 3 }, 400, /"index" must be/],
    ['an unknown field', { request_id: 'r', label: 3, weight: 2 }, 400, /unknown field "weight"/],
    ['an empty list', [], 400, /empty/],
    ['a list item that is not an object', [{ request_id: 'r', label: 1 }, 5], 400, /feedback\[1\] is a number/],
    ['too many items', Array(10_001).fill({ request_id: 'r', label: 1 }), 413, /at most 10000/],
  ])('rejects feedback with %s', async (_name, body, status, message) => {
    const res = await post('/v1/models/taxi:feedback', body);
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatch(message);
  });

  it('404s feedback for an unknown model and 400s a bad name', async () => {
    expect((await post('/v1/models/nope:feedback', { request_id: 'r', label: 1 })).statusCode).toBe(404);
    expect((await post('/v1/models/..%2Fx:feedback', { request_id: 'r', label: 1 })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/models/taxi:feedback' })).statusCode).toBe(405);
  });

  it('says feedback needs the log when the server keeps none', async () => {
    const bare = buildServer(serverOptions(fx));
    const res = await bare.inject({ method: 'POST', url: '/v1/models/taxi:feedback', payload: { request_id: 'r', label: 1 } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/keeps no inference log/);
    await bare.close();
  });
});

describe('InferenceLog', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => fx.cleanup());

  const write = (log: InferenceLog, n: number, from = 0) => {
    for (let i = from; i < from + n; i++) {
      log.logPredictions({ model: 'm', version: 1, alias: 'production', requestId: `r${i}`, features, instances: [instance], predictions: [i] });
    }
  };

  it('rotates by size, resumes the newest file after a restart, and loses no row', async () => {
    const dir = path.join(fx.dir, 'log');
    const log = new InferenceLog({ dir, maxFileBytes: 1000 });
    write(log, 5);
    await log.flush();
    write(log, 5, 5);
    await log.flush();
    write(log, 5, 10);
    await log.close();
    const again = new InferenceLog({ dir, maxFileBytes: 1000 });
    write(again, 5, 15);
    await again.close();

    const files = (await readdir(path.join(dir, 'm'))).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files).toContain(`${today()}.ndjson`);
    expect(files).toContain(`${today()}.1.ndjson`);
    const all = (await Promise.all(files.map((f) => rows<PredictionRow>(path.join(dir, 'm', f))))).flat();
    expect(all.map((r) => r.prediction).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('drops and counts rows past the buffer limit instead of growing memory', async () => {
    let dropped = 0;
    const log = new InferenceLog({ dir: path.join(fx.dir, 'log'), maxBufferedBytes: 300, onDropped: (n) => (dropped += n) });
    write(log, 10);
    await log.close();
    expect(dropped).toBeGreaterThan(0);
    const kept = await rows<PredictionRow>(path.join(fx.dir, 'log', 'm', `${today()}.ndjson`));
    expect(kept.length + dropped).toBe(10);
  });

  it('writes every row before a process that closed it exits on its own', async () => {
    const dir = path.join(fx.dir, 'log');
    const script = fileURLToPath(new URL('./log-then-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, '5000'], { stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(await rows<PredictionRow>(path.join(dir, 'm', `${today()}.ndjson`))).toHaveLength(5000);
  });

  it('counts rows it could not write, with the reason, and keeps logging other models', async () => {
    const dir = path.join(fx.dir, 'log');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'm'), 'a file where the model folder should be');
    const failures: { rows: number; err?: unknown }[] = [];
    const written: number[] = [];
    const log = new InferenceLog({ dir, onDropped: (rows, err) => failures.push({ rows, err }), onWritten: (_kind, rows) => written.push(rows) });
    write(log, 3);
    log.logPredictions({ model: 'other', version: 1, alias: null, requestId: 'x', features, instances: [instance], predictions: [1] });
    await log.close();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.rows).toBe(3);
    expect(String(failures[0]!.err)).toMatch(/EEXIST|ENOTDIR/);
    expect(written).toEqual([1]);
    expect(await rows<PredictionRow>(path.join(dir, 'other', `${today()}.ndjson`))).toMatchObject([{ request_id: 'x', alias: null, prediction: 1 }]);
  });
});
