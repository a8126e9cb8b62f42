/**
 * The inference log and feedback: every predicted instance is one NDJSON row with flat feature
 * columns under `<dir>/<model>/`, feedback rows under `<dir>/<model>/feedback/` join on
 * (request_id, index), and DuckDB reads both as tables. Closed files (by size, by age, on
 * close) are shipped to a real FileArtifactStore and indexed in a real FileModelRegistry, then
 * removed; a failed ship keeps the file for later, and what a killed server left is shipped by
 * the next one.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inferenceLogRotateMs } from '../../../src/cli/commands/serve.js';
import { DataEngine } from '../../../src/data/engine.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import type { InferenceSegment } from '../../../src/registry/model-registry.js';
import { InferenceLog, type FeedbackRow, type InferenceLogOptions, type PredictionRow } from '../../../src/serving/inference-log.js';
import { buildServer } from '../../../src/serving/server.js';
import type { FeatureSpec } from '../../../src/spec/schema.js';
import { addServingModels, createFixture, features, instance, serverOptions, sleep, type Fixture } from './helpers.js';

/** The rows of every log file in a folder, oldest file first. */
async function rowsIn<T>(folder: string): Promise<T[]> {
  const files = (await ndjsonFiles(folder)).sort();
  const texts = await Promise.all(files.map((f) => readFile(path.join(folder, f), 'utf8')));
  return texts.flatMap((text) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T));
}

async function ndjsonFiles(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.ndjson'));
}

async function withEngine<T>(run: (engine: DataEngine) => Promise<T>): Promise<T> {
  const engine = await DataEngine.open({ threads: 1, memoryLimit: '256MB' });
  try {
    return await run(engine);
  } finally {
    engine.close();
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const logThenExit = fileURLToPath(new URL('./log-then-exit.ts', import.meta.url));

async function runChild(dir: string, count: number, mode: 'close' | 'crash'): Promise<{ code: number | null; signal: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', logThenExit, dir, String(count), mode], { stdio: 'inherit' });
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  return { code, signal };
}

describe('inference log and feedback', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let dir: string;

  beforeEach(async () => {
    fx = await createFixture();
    dir = path.join(fx.dir, 'inference');
    await addServingModels(fx);
    app = buildServer({ ...serverOptions(fx), inferenceLog: { dir } });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await fx.cleanup();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers: { 'content-type': 'application/json', ...headers } });

  it('logs each predicted instance with model, version, alias, flat feature columns, output, time and request id', async () => {
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
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.headers['x-client-request-id']).toBe('client-id-1');
    expect(c.statusCode).toBe(200);
    expect(c.json().id).toBe(c.headers['x-request-id']);
    await app.close();

    const taxi = await rowsIn<PredictionRow>(path.join(dir, 'taxi'));
    expect(taxi).toHaveLength(3);
    expect(taxi[0]).toEqual({ time: expect.any(String), request_id: a.headers['x-request-id'], index: 0, model: 'taxi', version: 1, alias: 'production', ...instance, prediction: 3.5 });
    expect(taxi[1]).toMatchObject({ request_id: a.headers['x-request-id'], index: 1, trip_distance: null, passengers: 1, PULocationID: '7' });
    expect(taxi[2]).toMatchObject({ request_id: b.headers['x-request-id'], client_request_id: 'client-id-1', index: 0, version: 2, alias: null, prediction: 103.5 });
    expect(Date.now() - Date.parse(taxi[0]!.time)).toBeLessThan(60_000);
    const [churn] = await rowsIn<PredictionRow>(path.join(dir, 'churn'));
    expect(churn).toMatchObject({ request_id: c.headers['x-request-id'], model: 'churn', prediction: 'churns', probabilities: { stays: expect.any(Number), churns: expect.any(Number) } });
  });

  it('records feedback by request id, one item or several, and DuckDB joins it to the predictions', async () => {
    const a = await post('/v1/models/taxi:predict', { instances: [instance, { ...instance, trip_distance: 10 }] });
    const id = a.headers['x-request-id'] as string;
    expect((await post('/v1/models/taxi:feedback', { request_id: id, label: 4 })).json()).toEqual({ recorded: 1 });
    expect((await post('/v1/models/taxi:feedback', [{ request_id: id, index: 1, label: 12.5 }])).json()).toEqual({ recorded: 1 });
    const churnInstance = { instances: [instance] };
    const [r1, r2] = await Promise.all([post('/v1/models/churn:predict', churnInstance), post('/v1/models/churn:predict', churnInstance)]);
    const churnFeedback = [{ request_id: r1!.headers['x-request-id'], label: 'stays' }, { request_id: r2!.headers['x-request-id'], label: 'churns' }];
    expect((await post('/v1/models/churn:feedback', { feedback: churnFeedback })).json()).toEqual({ recorded: 2 });
    await app.close();

    const feedback = await rowsIn<FeedbackRow>(path.join(dir, 'taxi', 'feedback'));
    expect(feedback.map(({ request_id, index, label, model }) => ({ request_id, index, label, model }))).toEqual([
      { request_id: id, index: 0, label: 4, model: 'taxi' },
      { request_id: id, index: 1, label: 12.5, model: 'taxi' },
    ]);
    expect((await rowsIn<FeedbackRow>(path.join(dir, 'churn', 'feedback'))).map((r) => r.label)).toEqual(['stays', 'churns']);

    const joined = await withEngine((engine) =>
      engine.rows(`
        SELECT p.index, p.version, p.trip_distance, p.PULocationID, p.prediction, f.label, p.time
        FROM read_json_auto('${path.join(dir, 'taxi', '*.ndjson')}') p
        JOIN read_json_auto('${path.join(dir, 'taxi', 'feedback', '*.ndjson')}') f USING (request_id, index)
        ORDER BY p.index`),
    );
    expect(joined).toMatchObject([
      { index: 0n, version: 1n, trip_distance: 2.5, PULocationID: '132', prediction: 3.5, label: 4 },
      { index: 1n, trip_distance: 10, prediction: 11, label: 12.5 },
    ]);
    expect(joined[0]!.time).toBeInstanceOf(Date);
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
    ['too many items', Array(1_001).fill({ request_id: 'r', label: 1 }), 413, /at most 1000 are allowed per call/],
    ['an id the server never issued', { request_id: 'never-issued', label: 3 }, 404, /is not a prediction of model "taxi" made by this server/],
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

describe('InferenceLog shipping', () => {
  let fx: Fixture;
  let dir: string;
  beforeEach(async () => {
    fx = await createFixture();
    dir = path.join(fx.dir, 'log');
  });
  afterEach(async () => fx.cleanup());

  /** A log over the fixture's real store and registry, recording what it ships and what fails. */
  const shippingLog = (options: Partial<InferenceLogOptions> = {}) => {
    const shipped: InferenceSegment[] = [];
    const failures: unknown[] = [];
    const log = new InferenceLog({ dir, store: fx.store, registry: fx.registry, onShipped: (s) => shipped.push(s), onShipFailed: (_file, err) => failures.push(err), ...options });
    return { log, shipped, failures };
  };
  const write = (log: InferenceLog, n: number, from = 0, signature: readonly FeatureSpec[] = features) => {
    for (let i = from; i < from + n; i++) {
      log.logPredictions({ model: 'm', version: 1, alias: 'production', requestId: `r${i}`, features: signature, instances: [{ ...instance, time: 'late' }], predictions: [i] });
    }
  };
  const segments = () => fx.registry.listInferenceSegments('m');
  /** Every row of every shipped segment, read from the store as a monitor would: DuckDB over the artifacts. */
  const shippedRows = async () => {
    const files = await Promise.all((await fx.registry.listInferenceSegments('m', { kind: 'predictions' })).map((s) => fx.store.localPath(s.artifact)));
    if (files.length === 0) return [];
    return withEngine((engine) => engine.rows(`SELECT * FROM read_json_auto([${files.map((f) => `'${f}'`).join(', ')}]) ORDER BY prediction`));
  };

  it('ships the last file on close: stored, indexed with its rows and times, flat columns, removed locally', async () => {
    const { log, shipped } = shippingLog();
    // A feature named like one of the log's own columns is logged as feature.<name>.
    write(log, 3, 0, [...features, { name: 'time', type: 'categorical' }]);
    log.logFeedback('m', [{ requestId: 'r1', index: 0, label: 9 }]);
    await log.close();

    expect(await ndjsonFiles(path.join(dir, 'm'))).toEqual([]);
    expect(await ndjsonFiles(path.join(dir, 'm', 'feedback'))).toEqual([]);
    const [predictions, ...rest] = await fx.registry.listInferenceSegments('m', { kind: 'predictions' });
    expect(rest).toHaveLength(0);
    expect(predictions).toMatchObject({ model: 'm', kind: 'predictions', rows: 3, writer: `${os.hostname()}:${process.pid}`, artifact: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(predictions!.artifact.uri).toMatch(/\.ndjson$/);
    expect(Date.parse(predictions!.firstAt)).toBeLessThanOrEqual(Date.parse(predictions!.lastAt));
    expect(await fx.registry.listInferenceSegments('m', { kind: 'feedback' })).toMatchObject([{ kind: 'feedback', rows: 1 }]);
    expect(shipped.map((s) => s.kind).sort()).toEqual(['feedback', 'predictions']);

    const rows = await shippedRows();
    expect(rows).toMatchObject([0, 1, 2].map((i) => ({ request_id: `r${i}`, index: 0n, model: 'm', version: 1n, alias: 'production', trip_distance: 2.5, passengers: 1n, PULocationID: '132', 'feature.time': 'late', prediction: BigInt(i) })));
    expect(rows[0]!.time).toBeInstanceOf(Date);
  });

  it('rotates by size: every full file is shipped and removed, no row lost or shipped twice', async () => {
    const { log } = shippingLog({ maxFileBytes: 700 });
    for (let i = 0; i < 12; i++) write(log, 1, i);
    await log.settled();
    // The full files are shipped; only the open one is still local.
    expect((await segments()).length).toBeGreaterThan(2);
    expect(await ndjsonFiles(path.join(dir, 'm'))).toHaveLength(1);
    await log.close();
    expect(await ndjsonFiles(path.join(dir, 'm'))).toEqual([]);
    const all = await segments();
    expect(all.reduce((n, s) => n + s.rows, 0)).toBe(12);
    expect(new Set(all.map((s) => s.artifact.sha256)).size).toBe(all.length);
    expect((await shippedRows()).map((r) => r.request_id)).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`));
  });

  it('rotates by age: a file rotateMs old is shipped without waiting for more rows', async () => {
    const { log } = shippingLog({ rotateMs: 150 });
    write(log, 2);
    await until('the first file is shipped', async () => (await segments()).length === 1);
    expect(await ndjsonFiles(path.join(dir, 'm'))).toEqual([]);
    write(log, 3, 2);
    await until('the second file is shipped', async () => (await segments()).length === 2);
    expect((await segments()).map((s) => s.rows)).toEqual([2, 3]);
    await log.close();
  });

  it('keeps a file whose ship failed and ships it with the next rotation', async () => {
    // A file where the store's folder should be: putFile really fails.
    const root = path.join(fx.dir, 'flaky-store');
    await writeFile(root, 'not a folder');
    const store = new FileArtifactStore(root);
    const { log, failures } = shippingLog({ store });
    write(log, 2);
    await log.rotate();
    expect(failures).toHaveLength(1);
    expect(await segments()).toEqual([]);
    expect(await ndjsonFiles(path.join(dir, 'm'))).toHaveLength(1);

    await rm(root);
    write(log, 3, 2);
    await log.rotate();
    expect((await segments()).map((s) => s.rows).sort()).toEqual([2, 3]);
    expect(await ndjsonFiles(path.join(dir, 'm'))).toEqual([]);
    await log.close();
    expect(failures).toHaveLength(1);
  });

  it('keeps what it could not ship on close and ships it when the next log starts', async () => {
    const root = path.join(fx.dir, 'down-store');
    await writeFile(root, 'not a folder');
    const down = shippingLog({ store: new FileArtifactStore(root) });
    write(down.log, 4);
    await down.log.close();
    expect(down.failures).toHaveLength(1);
    expect(await ndjsonFiles(path.join(dir, 'm'))).toHaveLength(1);

    const next = shippingLog();
    await next.log.settled();
    expect((await segments()).map((s) => s.rows)).toEqual([4]);
    expect(await ndjsonFiles(path.join(dir, 'm'))).toEqual([]);
    await next.log.close();
    expect(await segments()).toHaveLength(1);
  });

  it('ships what a killed server left, its torn last row cut off, when the next one starts', async () => {
    expect(await runChild(dir, 50, 'crash')).toEqual({ code: null, signal: 'SIGKILL' });
    const [left] = await ndjsonFiles(path.join(dir, 'm'));
    expect((await readFile(path.join(dir, 'm', left!), 'utf8')).endsWith('{"time":"2024-')).toBe(true);

    const { log } = shippingLog();
    await log.settled();
    expect(await ndjsonFiles(path.join(dir, 'm'))).toEqual([]);
    expect(await segments()).toMatchObject([{ kind: 'predictions', rows: 50 }]);
    expect((await shippedRows()).map((r) => r.prediction)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    await log.close();
    expect(await segments()).toHaveLength(1);
  });

  it('needs both a store and a registry to ship, and positive limits', () => {
    expect(() => new InferenceLog({ dir, store: fx.store })).toThrow(/both a store and a registry/);
    expect(() => new InferenceLog({ dir, rotateMs: 0 })).toThrow(/rotateMs must be a positive number/);
  });
});

describe('InferenceLog writing', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await createFixture();
  });
  afterEach(async () => fx.cleanup());

  const write = (log: InferenceLog, n: number) => {
    for (let i = 0; i < n; i++) log.logPredictions({ model: 'm', version: 1, alias: 'production', requestId: `r${i}`, features, instances: [instance], predictions: [i] });
  };

  it('keeps its files in place without a store, rotating by size', async () => {
    const dir = path.join(fx.dir, 'log');
    const log = new InferenceLog({ dir, maxFileBytes: 500 });
    write(log, 10);
    await log.close();
    expect((await ndjsonFiles(path.join(dir, 'm'))).length).toBeGreaterThan(2);
    expect((await rowsIn<PredictionRow>(path.join(dir, 'm'))).map((r) => r.prediction)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('drops and counts rows past the buffer limit instead of growing memory', async () => {
    let dropped = 0;
    const log = new InferenceLog({ dir: path.join(fx.dir, 'log'), maxBufferedBytes: 300, onDropped: (n) => (dropped += n) });
    write(log, 10);
    await log.close();
    expect(dropped).toBeGreaterThan(0);
    const kept = await rowsIn<PredictionRow>(path.join(fx.dir, 'log', 'm'));
    expect(kept.length + dropped).toBe(10);
  });

  it('writes every row before a process that closed it exits on its own', async () => {
    const dir = path.join(fx.dir, 'log');
    expect(await runChild(dir, 5000, 'close')).toEqual({ code: 0, signal: null });
    expect(await rowsIn<PredictionRow>(path.join(dir, 'm'))).toHaveLength(5000);
  });

  it('counts rows it could not write, with the reason, and keeps logging other models', async () => {
    const dir = path.join(fx.dir, 'log');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'm'), 'a file where the model folder should be');
    const failures: { rows: number; err?: unknown }[] = [];
    const log = new InferenceLog({ dir, onDropped: (rows, err) => failures.push({ rows, err })});
    write(log, 3);
    log.logPredictions({ model: 'other', version: 1, alias: null, requestId: 'x', features, instances: [instance], predictions: [1] });
    await log.close();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.rows).toBe(3);
    expect(String(failures[0]!.err)).toMatch(/EEXIST|ENOTDIR/);
    expect(await rowsIn<PredictionRow>(path.join(dir, 'other'))).toMatchObject([{ request_id: 'x', alias: null, prediction: 1 }]);
  });
});

describe('MLOPS_INFERENCE_LOG_ROTATE', () => {
  it('is read as a duration by mlops serve', () => {
    expect(inferenceLogRotateMs({})).toBeUndefined();
    expect(inferenceLogRotateMs({ MLOPS_INFERENCE_LOG_ROTATE: '30s' })).toBe(30_000);
    expect(inferenceLogRotateMs({ MLOPS_INFERENCE_LOG_ROTATE: '5m' })).toBe(300_000);
    expect(() => inferenceLogRotateMs({ MLOPS_INFERENCE_LOG_ROTATE: 'soon' })).toThrow(/MLOPS_INFERENCE_LOG_ROTATE="soon" is not a duration.*30s/);
    expect(() => inferenceLogRotateMs({ MLOPS_INFERENCE_LOG_ROTATE: '0s' })).toThrow(/not a duration/);
  });
});
