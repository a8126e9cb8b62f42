import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateTrips } from '../../../examples/taxi/generate.js';
import { DataEngine, quoteList } from '../../../src/data/engine.js';
import { ingestDataset } from '../../../src/data/ingest.js';
import { loadSplit } from '../../../src/data/split.js';
import { validateDataset } from '../../../src/data/validate.js';
import { loadSpecFile } from '../../../src/spec/parse.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

async function monthStats(files: readonly string[]) {
  const engine = await DataEngine.open({ threads: 1 });
  try {
    return await engine.rows(
      `SELECT filename AS file, avg(duration_min) AS duration, avg(trip_distance) AS distance, count(*)::INTEGER AS n
       FROM read_parquet(${quoteList(files)}) GROUP BY filename ORDER BY filename`,
    );
  } finally {
    engine.close();
  }
}

describe('generateTrips', () => {
  it('writes where it is told even outside MLOPS_DATA_ROOTS (the benches generate into temp folders)', async () => {
    const [roots, outDir] = [await tempDir(), await tempDir()];
    const saved = process.env.MLOPS_DATA_ROOTS;
    process.env.MLOPS_DATA_ROOTS = roots;
    try {
      const files = await generateTrips({ outDir, months: 1, rowsPerMonth: 50 });
      expect(files).toEqual([path.join(outDir, 'trips-2024-01.parquet')]);
    } finally {
      process.env.MLOPS_DATA_ROOTS = saved;
    }
  });

  it('writes one file per month, byte-identical for the same seed', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const opts = { months: 2, rowsPerMonth: 500, seed: 3, format: 'parquet' as const };
    const first = await generateTrips({ outDir: a, ...opts });
    const second = await generateTrips({ outDir: b, ...opts });
    expect(first.map((f) => path.basename(f))).toEqual(['trips-2024-01.parquet', 'trips-2024-02.parquet']);
    expect(await Promise.all(first.map(sha256))).toEqual(await Promise.all(second.map(sha256)));
    const other = await generateTrips({ outDir: await tempDir(), ...opts, seed: 4 });
    expect(await sha256(other[0]!)).not.toBe(await sha256(first[0]!));
  });

  it('writes a later month alone exactly as within a longer run', async () => {
    const all = await generateTrips({ outDir: await tempDir(), months: 3, rowsPerMonth: 200 });
    const [third] = await generateTrips({ outDir: await tempDir(), months: 1, rowsPerMonth: 200, startMonth: 2 });
    expect(path.basename(third!)).toBe('trips-2024-03.parquet');
    expect(await sha256(third!)).toBe(await sha256(all[2]!));
  });

  it('drifts: later months have longer trips that take longer', async () => {
    const files = await generateTrips({ outDir: await tempDir(), months: 6, rowsPerMonth: 1000 });
    const stats = await monthStats(files);
    const [first, last] = [stats[0]!, stats[5]!];
    expect(Number(last['duration'])).toBeGreaterThan(Number(first['duration']) * 1.25);
    expect(Number(last['distance'])).toBeGreaterThan(Number(first['distance']) * 1.1);
    expect(stats.every((s) => s['n'] === 1000)).toBe(true);
  });

  it('writes CSV with a header when asked', async () => {
    const [file] = await generateTrips({ outDir: await tempDir(), months: 1, rowsPerMonth: 3, format: 'csv' });
    const text = await readFile(file!, 'utf8');
    expect(text.split('\n')[0]).toBe('pickup_datetime,PULocationID,DOLocationID,trip_distance,passenger_count,hour,weekday,duration_min');
    expect(text.trim().split('\n')).toHaveLength(4);
  });
});

describe('the taxi example spec', () => {
  it('parses, and its data ingests, validates and splits', async () => {
    const spec = await loadSpecFile(fileURLToPath(new URL('../../../examples/taxi/spec.yaml', import.meta.url)));
    expect(spec.name).toBe('taxi-duration');
    const dir = await tempDir();
    await generateTrips({ outDir: path.join(dir, 'data'), months: 2, rowsPerMonth: 1000 });
    // The spec's paths were made absolute against examples/taxi; point it at the temp data instead.
    const local = { ...spec, data: { ...spec.data, source: 'data/trips-*.parquet' } };
    const ref = await ingestDataset({ spec: local, baseDir: dir, store: new FileArtifactStore(path.join(dir, 'store')) });
    expect(ref.rows).toBe(2000);
    const summary = await validateDataset({ dataset: fileURLToPath(ref.uri), spec: local });
    expect(summary.warnings).toEqual([]);
    expect(summary.columns.find((c) => c.name === 'passenger_count')?.missing).toBeGreaterThan(0);
    const { train, test } = await loadSplit({ dataset: fileURLToPath(ref.uri), spec: local });
    expect([train.rows, test.rows]).toEqual([1600, 400]);
    expect(typeof train.columns['PULocationID']![0]).toBe('string');
  });
});
