/**
 * The monitor's activities in inference-log mode, on real parts: snapshotWindow reads served
 * segments, livePerformance scores only the labelled rows, retrainingSpec hands the child
 * pipeline a data.snapshot that its ingest and validate steps read through the store.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestActivity } from '../../../activities/ingest.js';
import { livePerformanceActivity } from '../../../activities/live-performance.js';
import { retrainingSpecActivity } from '../../../activities/retraining-spec.js';
import { snapshotWindowActivity, type WindowSnapshot } from '../../../activities/snapshot-window.js';
import { loadSplit } from '../../../src/data/split.js';
import type { DatasetRef } from '../../../src/data/types.js';
import { parseBundle, serializeBundle } from '../../../src/model/bundle.js';
import { evaluatePredictor } from '../../../src/model/metrics.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { parseSpec, resolveSpecPaths } from '../../../src/spec/parse.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import { activityBench, activityEnv, type ActivityBench } from '../model/activity-fixtures.js';
import { regressionData, regressionSpec } from '../model/fixtures.js';
import { trainedLikeModel } from '../model/model-fixtures.js';
import { shipLabels, shipPredictions } from './segments.js';

let bench: ActivityBench;
let spec: PipelineSpec;
let training: DatasetRef;

beforeAll(async () => {
  bench = await activityBench();
  const base = regressionSpec();
  const data = regressionData(40);
  ({ dataset: training } = await bench.ingest(base, data));
  spec = parseSpec({ ...base, monitoring: { source: 'inference-log', interval: '1h' } }, 'test');
  const bundle = await bench.deps.store.putBytes(serializeBundle(trainedLikeModel(spec, data).bundle), '.model.json');
  const v1 = await bench.deps.registry.registerVersion('line', { bundle, metrics: { rmse: 1 }, lineage: { dataset: training, specHash: 'x' }, idempotencyKey: 'v1' });
  await bench.deps.registry.setAlias('line', 'production', v1.version, 'test');
  // Served in the last hour: six instances, four of them labelled.
  const now = Date.now();
  const served = Array.from({ length: 6 }, (_, i) => ({ at: new Date(now - (50 - i) * 60_000), requestId: `req-${i}`, features: { x: i / 3 - 1, color: i % 2 ? 'red' : 'blue' } }));
  await shipPredictions(bench.deps, 'line', served);
  await shipLabels(bench.deps, 'line', [0, 1, 2, 4].map((i) => ({ at: new Date(now - 10 * 60_000), requestId: `req-${i}`, label: 3 * (i / 3 - 1) + 5 })));
});
afterAll(async () => bench?.close());

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => activityEnv().run(fn, ...args) as Promise<R>;

describe('inference-log monitoring activities', () => {
  it('snapshotWindow reads served rows; livePerformance scores the labelled ones only', async () => {
    const window: WindowSnapshot = await run(snapshotWindowActivity(bench.deps), { spec, source: 'inference-log' });
    expect(window.dataset?.rows).toBe(6);
    expect(window.labelledRows).toBe(4);
    const live = await run(livePerformanceActivity(bench.deps), { spec, window: window.dataset as DatasetRef, versions: [1] });
    expect(live.rows).toBe(4);

    const entry = await bench.deps.registry.resolve('line', { version: 1 });
    const predictor = createPredictor(parseBundle(await bench.deps.store.readBytes(entry!.bundle)));
    const split = await loadSplit({ dataset: await bench.deps.store.localPath(window.dataset as DatasetRef), spec });
    const labelled = { rows: 4, columns: Object.fromEntries(Object.keys(split.train.columns).map((k) => [k, [...(split.train.columns[k] ?? []), ...(split.test.columns[k] ?? [])]])) };
    expect(labelled.columns['y']?.every((v) => v !== null)).toBe(true);
    expect(live.byVersion['1']).toEqual(await evaluatePredictor(predictor, labelled, spec));
  });

  it('retrainingSpec passes a data.snapshot that the child pipeline ingests on any host', async () => {
    const retrain = await run(retrainingSpecActivity(bench.deps), spec);
    expect(retrain.data.source).toBeUndefined();
    expect(retrain.data.snapshot?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Through Temporal the spec is JSON; the child's prepareSpec parses it again.
    const child = parseSpec(JSON.parse(JSON.stringify(retrain)), 'child workflow input');
    const dataset = await run(ingestActivity({ ...bench.deps, baseDir: path.join(bench.home, 'another-host') }), child);
    expect(dataset.rows).toBe(training.rows + 4);
  });

  it('retrainingSpec keeps the spec when there is no production version yet', async () => {
    const fresh = { ...spec, name: 'nothing-yet' };
    expect(await run(retrainingSpecActivity(bench.deps), fresh)).toEqual(fresh);
  });
});

describe('spec fields', () => {
  const minimal = { name: 'm', task: 'regression', data: { target: 'y', features: [{ name: 'x', type: 'numeric' }] } } as const;
  const snapshot = { uri: 'file:///a/b.parquet', sha256: 'a'.repeat(64), bytes: 10 };

  it('takes data.snapshot as the one data source, validated', () => {
    expect(parseSpec({ ...minimal, data: { ...minimal.data, snapshot } }, 't').data.snapshot).toEqual(snapshot);
    expect(() => parseSpec({ ...minimal, data: { ...minimal.data, snapshot, source: 'x.csv' } }, 't')).toThrow(/exactly one of data.source .*data.snapshot/);
    expect(() => parseSpec({ ...minimal, data: { ...minimal.data, snapshot: { ...snapshot, sha256: 'xyz' } } }, 't')).toThrow(/data.snapshot.sha256: .*64 characters/);
    expect(() => parseSpec({ ...minimal, data: { ...minimal.data, snapshot: { ...snapshot, path: '/x' } } }, 't')).toThrow(/data.snapshot/);
  });

  it('takes monitoring.window as a duration, and keeps inference-log out of path resolution', () => {
    const spec = parseSpec({ ...minimal, data: { ...minimal.data, source: 'd.csv' }, monitoring: { source: 'inference-log', window: '6h' } }, 't');
    expect(spec.monitoring.window).toBe('6h');
    expect(resolveSpecPaths(spec, '/specs').monitoring.source).toBe('inference-log');
    expect(resolveSpecPaths({ ...spec, monitoring: { ...spec.monitoring, source: './inference-log' } }, '/specs').monitoring.source).toBe('/specs/inference-log');
    expect(() => parseSpec({ ...minimal, data: { ...minimal.data, source: 'd.csv' }, monitoring: { window: 'a day' } }, 't')).toThrow(/monitoring.window: durations look like/);
  });
});
