/**
 * Retraining from production traffic: training snapshot ∪ labelled served rows, cut so that a
 * second retrain adds only newer rows; the spec carries the result as a data.snapshot that
 * ingest reads through the store, as a trainingPipeline on another worker would.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataEngine, quoteLiteral } from '../../../src/data/engine.js';
import { ingestDataset } from '../../../src/data/ingest.js';
import { readSnapshotMetadata } from '../../../src/data/store-snapshot.js';
import { servedUntilKey, snapshotRetrainingData } from '../../../src/monitoring/retraining-data.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { makeSpec, rejection, useTempDirs } from '../data/helpers.js';
import { shipLabels, shipPredictions } from './segments.js';

const tempDir = useTempDirs();
const t0 = new Date('2024-05-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

async function setup() {
  const dir = await tempDir();
  const deps = { store: new FileArtifactStore(path.join(dir, 'artifacts')), registry: new FileModelRegistry(path.join(dir, 'registry')) };
  // The training data: y is an integer column, b a number used as a category (types training casts).
  await writeFile(path.join(dir, 'train.csv'), 'y,a,b\n1,0.5,7\n2,1.5,8\n3,2.5,7\n');
  const spec = makeSpec({ source: 'train.csv' }, { name: 'served' });
  const base = await ingestDataset({ spec, baseDir: dir, store: deps.store });
  return { dir, deps, spec, base };
}

async function read(file: string, sql = 'SELECT * FROM t'): Promise<{ rows: Record<string, unknown>[]; metadata: Record<string, string> }> {
  const engine = await DataEngine.open({ threads: 1 });
  try {
    const rows = await engine.rows(sql.replace('FROM t', `FROM read_parquet(${quoteLiteral(file)})`));
    return { rows, metadata: await readSnapshotMetadata(engine, file) };
  } finally {
    engine.close();
  }
}

describe('snapshotRetrainingData', () => {
  it('is the training snapshot plus the labelled served rows; a later retrain adds only rows served after the cut', async () => {
    const { dir, deps, spec, base } = await setup();
    await shipPredictions(deps, 'served', [
      { at: at(1), requestId: 'r1', features: { a: 10, b: 'p' } },
      { at: at(2), requestId: 'r2', features: { a: 20, b: 'q' } },
      { at: at(3), requestId: 'r3', features: { a: 30, b: 'p' } },
    ]);
    await shipLabels(deps, 'served', [
      { at: at(4), requestId: 'r1', label: 100 },
      { at: at(5), requestId: 'r3', label: 300 },
      { at: at(6), requestId: 'r3', label: 301 },
    ]);
    const first = await snapshotRetrainingData({ spec, ...deps, base, until: at(10) });
    expect(first).toMatchObject({ baseRows: 3, servedRows: 2, servedSince: null });
    expect(first?.dataset.columns).toEqual([
      { name: 'y', type: 'DOUBLE' },
      { name: 'a', type: 'DOUBLE' },
      { name: 'b', type: 'VARCHAR' },
    ]);
    const firstFile = await deps.store.localPath(first!.dataset);
    const one = await read(firstFile, 'SELECT * FROM t ORDER BY y');
    expect(one.rows).toEqual([
      { y: 1, a: 0.5, b: '7' },
      { y: 2, a: 1.5, b: '8' },
      { y: 3, a: 2.5, b: '7' },
      { y: 100, a: 10, b: 'p' },
      // r3 was labelled 300, then 301: the first label stands.
      { y: 300, a: 30, b: 'p' },
    ]);
    expect(one.metadata).toEqual({ [servedUntilKey]: at(10).toISOString() });

    // The child pipeline's ingest of data.snapshot: through the store, metadata kept.
    const retrainSpec = parseSpec({ ...spec, data: { ...spec.data, source: undefined, snapshot: { uri: first!.dataset.uri, sha256: first!.dataset.sha256, bytes: first!.dataset.bytes } } }, 'test');
    const ingested = await ingestDataset({ spec: retrainSpec, baseDir: path.join(dir, 'elsewhere'), store: deps.store });
    expect(ingested.rows).toBe(5);
    expect(ingested.columns.map((c) => c.name)).toEqual(['y', 'a', 'b']);
    expect((await read(await deps.store.localPath(ingested))).metadata).toEqual({ [servedUntilKey]: at(10).toISOString() });

    // Served after the cut: r4 labelled, r5 not; r2's late label is before the cut and not added.
    await shipPredictions(deps, 'served', [
      { at: at(11), requestId: 'r4', features: { a: 40, b: 'q' } },
      { at: at(12), requestId: 'r5', features: { a: 50, b: 'q' } },
    ]);
    await shipLabels(deps, 'served', [
      { at: at(13), requestId: 'r4', label: 400 },
      { at: at(13), requestId: 'r2', label: 200 },
    ]);
    const second = await snapshotRetrainingData({ spec, ...deps, base: ingested, until: at(20) });
    expect(second).toMatchObject({ baseRows: 5, servedRows: 1, servedSince: at(10).toISOString() });
    const two = await read(await deps.store.localPath(second!.dataset), 'SELECT y FROM t ORDER BY y');
    expect(two.rows.map((r) => r['y'])).toEqual([1, 2, 3, 100, 300, 400]);
    expect(two.metadata[servedUntilKey]).toBe(at(20).toISOString());
  });

  it('is undefined without labelled served rows, and names a spec column the training snapshot lacks', async () => {
    const { deps, spec, base } = await setup();
    expect(await snapshotRetrainingData({ spec, ...deps, base, until: at(10) })).toBeUndefined();
    await shipPredictions(deps, 'served', [{ at: at(1), requestId: 'r1', features: { a: 1, b: 'p' } }]);
    expect(await snapshotRetrainingData({ spec, ...deps, base, until: at(10) })).toBeUndefined();

    const wider = makeSpec({ source: 'train.csv', features: [{ name: 'a', type: 'numeric' }, { name: 'c', type: 'numeric' }] }, { name: 'served' });
    const err = await rejection(snapshotRetrainingData({ spec: wider, ...deps, base, until: at(10) }));
    expect(err.type).toBe('DataInvalid');
    expect(err.message).toMatch(/"c"/);
  });

  it('rejects a data.snapshot that is missing from the store or modified', async () => {
    const { dir, deps, spec, base } = await setup();
    const missing = parseSpec({ ...spec, data: { ...spec.data, source: undefined, snapshot: { uri: base.uri.replace(`/${base.sha256.slice(0, 2)}/${base.sha256}`, `/ff/${'f'.repeat(64)}`), sha256: 'f'.repeat(64), bytes: 1 } } }, 'test');
    const err = await rejection(ingestDataset({ spec: missing, baseDir: dir, store: deps.store }));
    expect(err.type).toBe('ArtifactCorrupt');
    expect(err.message).toMatch(/is missing/);
  });
});
