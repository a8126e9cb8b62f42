/** The inference-log monitoring window: real DuckDB, a real file store and registry, segments in the server's format. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataEngine, quoteLiteral } from '../../../src/data/engine.js';
import { snapshotInferenceWindow, windowStart } from '../../../src/monitoring/inference-window.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';
import { pipelineSpecSchema, type PipelineSpec, type PipelineSpecInput } from '../../../src/spec/schema.js';
import { useTempDirs } from '../data/helpers.js';
import { shipLabels, shipPredictions, shipSegment } from './segments.js';

const tempDir = useTempDirs();
const now = new Date('2024-05-01T12:00:00.000Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const odd = 'Body "Mass" (g)';

function spec(rest: Partial<PipelineSpecInput> = {}, data: Partial<PipelineSpecInput['data']> = {}): PipelineSpec {
  return pipelineSpecSchema.parse({
    name: 'served',
    task: 'regression',
    ...rest,
    data: {
      source: 'unused.csv',
      target: 'y',
      features: [
        { name: 'a', type: 'numeric' },
        { name: 'b', type: 'categorical' },
        { name: 'index', type: 'numeric' },
        { name: odd, type: 'numeric' },
      ],
      ...data,
    },
  });
}

async function parts() {
  const dir = await tempDir();
  return { store: new FileArtifactStore(path.join(dir, 'artifacts')), registry: new FileModelRegistry(path.join(dir, 'registry')) };
}

async function readRows(file: string): Promise<Record<string, unknown>[]> {
  const engine = await DataEngine.open({ threads: 1 });
  try {
    return await engine.rows(`SELECT * FROM read_parquet(${quoteLiteral(file)})`);
  } finally {
    engine.close();
  }
}

describe('snapshotInferenceWindow', () => {
  it('snapshots the window: spec names for flat and reserved-name features, the first label as the target, unlabelled rows kept', async () => {
    const deps = await parts();
    const s = spec();
    await shipPredictions(deps, 'served', [
      { at: ago(130), requestId: 'old', features: { a: 9, b: 'z', index: 9, [odd]: 9 } },
      { at: ago(50), requestId: 'r1', index: 0, features: { a: 1, b: 'p', index: 7, [odd]: 0.5 } },
      { at: ago(50), requestId: 'r1', index: 1, features: { a: 2, b: 'q', index: 8, [odd]: 1.5 } },
    ]);
    // A segment the server closed without rows, and one whose row lacks some features.
    await shipSegment(deps, 'served', 'predictions', [], { firstAt: ago(45), lastAt: ago(45) });
    await shipSegment(deps, 'served', 'predictions', [
      { time: ago(30).toISOString(), request_id: 'r2', index: 0, model: 'served', version: 1, alias: null, a: 3, prediction: 4 },
      { time: now.toISOString(), request_id: 'late', index: 0, model: 'served', version: 1, alias: null, a: 5, b: 'p', prediction: 4 },
    ]);
    await shipLabels(deps, 'served', [
      { at: ago(40), requestId: 'r1', index: 0, label: 10 },
      { at: ago(120), requestId: 'old', label: 99 },
    ]);
    await shipLabels(deps, 'served', [
      { at: ago(20), requestId: 'r1', index: 0, label: 11 },
      { at: ago(20), requestId: 'r1', index: 1, label: 5 },
      { at: ago(5), requestId: 'nobody', label: 1 },
    ]);

    const window = await snapshotInferenceWindow({ spec: s, ...deps, now });
    expect(window.warning).toBeUndefined();
    expect(window.labelledRows).toBe(2);
    const dataset = window.dataset;
    expect(dataset?.rows).toBe(3);
    expect(dataset?.columns).toEqual([
      { name: 'y', type: 'DOUBLE' },
      { name: 'a', type: 'DOUBLE' },
      { name: 'b', type: 'VARCHAR' },
      { name: 'index', type: 'DOUBLE' },
      { name: odd, type: 'DOUBLE' },
    ]);
    const rows = await readRows(await deps.store.localPath(dataset as NonNullable<typeof dataset>));
    expect(rows).toEqual([
      // r1/0 was labelled 10, then 11: the first label stands, as the server keeps it.
      { y: 10, a: 1, b: 'p', index: 7, [odd]: 0.5 },
      { y: 5, a: 2, b: 'q', index: 8, [odd]: 1.5 },
      { y: null, a: 3, b: null, index: null, [odd]: null },
    ]);
  });

  it('reaches back monitoring.window, not the interval, when it is set', async () => {
    const deps = await parts();
    await shipPredictions(deps, 'served', [
      { at: ago(130), requestId: 'old', features: { a: 9, b: 'z', index: 1, [odd]: 1 } },
      { at: ago(10), requestId: 'new', features: { a: 1, b: 'p', index: 1, [odd]: 1 } },
    ]);
    const hourly = await snapshotInferenceWindow({ spec: spec(), ...deps, now });
    expect(hourly.dataset?.rows).toBe(1);
    const wide = spec({ monitoring: { source: 'inference-log', interval: '1h', window: '3h' } });
    expect(windowStart(wide, now)).toEqual(ago(180));
    expect((await snapshotInferenceWindow({ spec: wide, ...deps, now })).dataset?.rows).toBe(2);
  });

  it('is empty, not an error, with no segments or no rows in the window', async () => {
    const deps = await parts();
    const none = await snapshotInferenceWindow({ spec: spec(), ...deps, now });
    expect(none).toMatchObject({ dataset: null, labelledRows: 0 });
    expect(none.warning).toMatch(/no inference-log segments of model "served" between 2024-05-01T11:00:00.000Z and 2024-05-01T12:00:00.000Z/);

    await shipPredictions(deps, 'served', [{ at: ago(300), requestId: 'old', features: { a: 1, b: 'p', index: 1, [odd]: 1 } }]);
    expect((await snapshotInferenceWindow({ spec: spec(), ...deps, now })).warning).toMatch(/no inference-log segments/);
    // A segment that reaches into the window, with every row outside it.
    await shipSegment(deps, 'served', 'predictions', [], { firstAt: ago(90), lastAt: ago(30) });
    const empty = await snapshotInferenceWindow({ spec: spec(), ...deps, now });
    expect(empty.dataset).toBeNull();
    expect(empty.warning).toMatch(/has no predictions between/);
  });

  it('types a classification label as text and fills a time-split column with the serving time', async () => {
    const deps = await parts();
    const s = spec({ task: 'classification' }, { target: 'label', split: { method: 'time', column: 'ts', test: 0.2 } });
    await shipPredictions(deps, 'served', [{ at: ago(15), requestId: 'c1', features: { a: 1, b: 'p', index: 1, [odd]: 1 }, prediction: 'yes' }]);
    await shipLabels(deps, 'served', [{ at: ago(5), requestId: 'c1', label: 'no' }]);
    const window = await snapshotInferenceWindow({ spec: s, ...deps, now });
    expect(window.dataset?.columns.map((c) => [c.name, c.type])).toEqual([
      ['label', 'VARCHAR'],
      ['a', 'DOUBLE'],
      ['b', 'VARCHAR'],
      ['index', 'DOUBLE'],
      [odd, 'DOUBLE'],
      ['ts', 'TIMESTAMP WITH TIME ZONE'],
    ]);
    const [row] = await readRows(await deps.store.localPath(window.dataset as NonNullable<typeof window.dataset>));
    expect(row?.['label']).toBe('no');
    expect((row?.['ts'] as Date).toISOString()).toBe(ago(15).toISOString());
  });
});

describe('a segment with lines DuckDB cannot read', () => {
  it('skips those lines (a lone surrogate, a wrong type, a torn line) instead of failing the check', async () => {
    const deps = await parts();
    await shipSegment(deps, 'served', 'predictions', [
      { time: ago(5).toISOString(), request_id: 'r', index: 0, model: 'served', a: 'not a number' },
      { time: ago(5).toISOString(), request_id: 'ok', index: 0, model: 'served', a: 1, b: 'p' },
    ]);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'mlops-torn-')), 'torn.ndjson');
    await writeFile(file, `{"time":"${ago(4).toISOString()}","request_id":"s","index":0,"model":"served","a":2,"b":"\\ud800"}\n{"time":"${ago(4).toISOString()}","request_id":"t","ind`);
    const torn = await deps.store.putFile(file, '.ndjson');
    await deps.registry.addInferenceSegment({ model: 'served', kind: 'predictions', artifact: torn, firstAt: ago(4).toISOString(), lastAt: ago(4).toISOString(), rows: 2, writer: 'test:1' });
    const window = await snapshotInferenceWindow({ spec: spec(), ...deps, now });
    expect(window.dataset?.rows).toBeGreaterThanOrEqual(1);
  });
});
