import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDrift, type DriftFeature, type FeatureDrift } from '../../../src/data/drift.js';
import { pipelineSpecSchema } from '../../../src/spec/schema.js';
import { rejection, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();
const defaults = pipelineSpecSchema.shape.monitoring.parse(undefined).drift;

/** Writes reference and current Parquet files from two SELECTs and compares them. */
async function drift(reference: string, current: string, features?: DriftFeature[], settings: Partial<typeof defaults> = {}) {
  const dir = await tempDir();
  await writeParquet(path.join(dir, 'ref.parquet'), reference);
  await writeParquet(path.join(dir, 'cur.parquet'), current);
  return computeDrift({ reference: 'ref.parquet', current: 'cur.parquet', baseDir: dir, features, settings: { ...defaults, ...settings } });
}

function feature(result: { features: FeatureDrift[] }, name: string): FeatureDrift {
  const f = result.features.find((x) => x.feature === name);
  if (!f) throw new Error(`no result for ${name}`);
  return f;
}

/** `n` rows with `a` of them holding `first`, the rest `second`. */
function twoValues(column: string, n: number, a: number, first: string, second: string): string {
  return `SELECT CASE WHEN i < ${a} THEN ${first} ELSE ${second} END AS ${column} FROM range(${n}) t(i)`;
}

describe('computeDrift', () => {
  it('small numeric samples: the exact KS statistic and p-value (1..10 vs 6..15: D = 0.5, p = 0.1678)', async () => {
    const result = await drift('SELECT i::DOUBLE AS x FROM range(1, 11) t(i)', 'SELECT i::DOUBLE AS x FROM range(6, 16) t(i)', [{ name: 'x', kind: 'numeric' }]);
    const x = feature(result, 'x');
    expect(x).toMatchObject({ test: 'ks', threshold: 0.05, drifted: false, referenceCount: 10, currentCount: 10 });
    expect(x.statistic).toBeCloseTo(0.5, 12);
    expect(x.score).toBeCloseTo(0.16782134274394336, 10);
  });

  it('KS with ties: 0,0,1,1 vs 1,1,1,1 has D = 0.5', async () => {
    const result = await drift('SELECT (i // 2)::DOUBLE AS x FROM range(4) t(i)', 'SELECT 1.0 AS x FROM range(4)', [{ name: 'x', kind: 'numeric' }], { method: 'ks' });
    expect(feature(result, 'x').statistic).toBeCloseTo(0.5, 12);
  });

  it('Wasserstein: a shift by 1 of 0..3 is 1 / std (√1.25)', async () => {
    const result = await drift('SELECT i::DOUBLE AS x FROM range(4) t(i)', 'SELECT i::DOUBLE + 1 AS x FROM range(4) t(i)', [{ name: 'x', kind: 'numeric' }], { method: 'wasserstein' });
    expect(feature(result, 'x').score).toBeCloseTo(1 / Math.sqrt(1.25), 10);
    expect(feature(result, 'x').drifted).toBe(true);
  });

  it('large numeric samples default to normalized Wasserstein (0..99 shifted by 0.5: 0.5 / 28.866)', async () => {
    const result = await drift('SELECT (i % 100)::DOUBLE AS x FROM range(2000) t(i)', 'SELECT (i % 100) + 0.5 AS x FROM range(2000) t(i)', [{ name: 'x', kind: 'numeric' }]);
    const x = feature(result, 'x');
    expect(x.test).toBe('wasserstein');
    expect(x.score).toBeCloseTo(0.5 / Math.sqrt((100 ** 2 - 1) / 12), 10);
    expect(x.drifted).toBe(false);
    expect(x.chart.type).toBe('histogram');
  });

  it('many distinct values (sorted, not grouped, with ties): 0,0,1,1,…,19999,19999 shifted by 1', async () => {
    const ref = 'SELECT (i // 2)::DOUBLE AS x FROM range(40000) t(i)';
    const cur = 'SELECT (i // 2)::DOUBLE + 1 AS x FROM range(40000) t(i)';
    const ks = await drift(ref, cur, [{ name: 'x', kind: 'numeric' }], { method: 'ks' });
    expect(feature(ks, 'x').statistic).toBeCloseTo(1 / 20000, 12);
    const w = await drift(ref, cur, [{ name: 'x', kind: 'numeric' }]);
    expect(feature(w, 'x').test).toBe('wasserstein');
    expect(feature(w, 'x').score).toBeCloseTo(1 / Math.sqrt((20000 ** 2 - 1) / 12), 10);
  });

  it('small categorical samples: chi-squared (30/70 vs 50/50: χ² = 25/3)', async () => {
    const result = await drift(twoValues('c', 100, 30, `'a'`, `'b'`), twoValues('c', 100, 50, `'a'`, `'b'`), [{ name: 'c', kind: 'categorical' }]);
    const c = feature(result, 'c');
    expect(c).toMatchObject({ test: 'chisquare', drifted: true, threshold: 0.05 });
    expect(c.statistic).toBeCloseTo(25 / 3, 10);
    expect(c.score).toBeCloseTo(0.003892417122778627, 10);
  });

  it('large categorical samples: Jensen-Shannon (3:1 vs 1:3)', async () => {
    const result = await drift(twoValues('c', 2000, 1500, `'a'`, `'b'`), twoValues('c', 2000, 500, `'a'`, `'b'`), [{ name: 'c', kind: 'categorical' }]);
    const c = feature(result, 'c');
    expect(c.test).toBe('jensenshannon');
    expect(c.score).toBeCloseTo(Math.sqrt(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5)), 10);
    expect(c.drifted).toBe(true);
    expect(c.chart).toEqual({ type: 'bars', labels: ['a', 'b'], reference: [1500, 500], current: [500, 1500] });
  });

  it('numbers with few distinct values are tested as categories', async () => {
    const result = await drift(twoValues('n', 2000, 1500, '1', '2'), twoValues('n', 2000, 500, '1', '2'), [{ name: 'n', kind: 'numeric' }]);
    expect(feature(result, 'n')).toMatchObject({ test: 'jensenshannon', chart: { type: 'bars', labels: ['1.0', '2.0'] } });
  });

  it('PSI on request, per feature, with its own threshold', async () => {
    const result = await drift(twoValues('c', 200, 100, `'a'`, `'b'`), twoValues('c', 200, 50, `'a'`, `'b'`), [{ name: 'c', kind: 'categorical' }], {
      features: { c: { method: 'psi', threshold: 0.3 } },
    });
    const c = feature(result, 'c');
    expect(c).toMatchObject({ test: 'psi', threshold: 0.3, drifted: false });
    expect(c.score).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 10);
  });

  it('applies the dataset-level share rule and always reports every score', async () => {
    const ref = `SELECT i::DOUBLE AS x, (i % 7)::DOUBLE AS y, 'k' || (i % 3) AS z FROM range(3000) t(i)`;
    const cur = `SELECT i::DOUBLE + 3000 AS x, (i % 7)::DOUBLE AS y, 'k' || (i % 3) AS z FROM range(3000) t(i)`;
    const features: DriftFeature[] = [{ name: 'x', kind: 'numeric' }, { name: 'y', kind: 'numeric' }, { name: 'z', kind: 'categorical' }];
    const low = await drift(ref, cur, features, { threshold: 0.3 });
    expect(low.features.map((f) => [f.feature, f.drifted])).toEqual([['x', true], ['y', false], ['z', false]]);
    expect(low.features.every((f) => Number.isFinite(f.score))).toBe(true);
    expect(low).toMatchObject({ driftedCount: 1, datasetDrift: true, shareThreshold: 0.3 });
    expect(low.shareDrifted).toBeCloseTo(1 / 3, 12);
    expect((await drift(ref, cur, features, { threshold: 0.5 })).datasetDrift).toBe(false);
  });

  it('without a feature list compares the columns both sides share', async () => {
    const result = await drift(`SELECT 1.5 AS "Body Mass (g)", 'x' AS "naïve ""q""", DATE '2024-01-01' AS d, 1 AS only_ref`, `SELECT 1.5 AS "Body Mass (g)", 'x' AS "naïve ""q""", DATE '2024-01-01' AS d`);
    expect(result.features.map((f) => [f.feature, f.kind])).toEqual([['Body Mass (g)', 'numeric'], ['naïve "q"', 'categorical']]);
  });

  it('counts a feature missing or empty on one side as drifted, untested', async () => {
    const result = await drift('SELECT i::DOUBLE AS x, i::DOUBLE AS y FROM range(10) t(i)', 'SELECT i::DOUBLE AS x, NULL::DOUBLE AS y FROM range(10) t(i)', [
      { name: 'x', kind: 'numeric' },
      { name: 'y', kind: 'numeric' },
      { name: 'w', kind: 'categorical' },
    ]);
    expect(result.untested).toEqual([
      { feature: 'w', reason: 'column "w" is not in the reference data' },
      { feature: 'y', reason: 'feature "y" has no finite values in the current data' },
    ]);
    expect(result.driftedCount).toBe(2);
    expect(result.warnings).toHaveLength(2);
  });

  it('an empty current window is reported, not an alarm', async () => {
    const result = await drift('SELECT 1.0 AS x', 'SELECT 1.0 AS x WHERE false', [{ name: 'x', kind: 'numeric' }]);
    expect(result).toMatchObject({ currentRows: 0, referenceRows: 1, features: [], datasetDrift: false });
    expect(result.warnings[0]).toMatch(/cur\.parquet has no rows; nothing to compare/);
  });

  it('a spec-wide numeric-only method leaves categorical features on auto', async () => {
    const result = await drift(`SELECT i::DOUBLE AS x, 'a' AS c FROM range(20) t(i)`, `SELECT i::DOUBLE AS x, 'a' AS c FROM range(20) t(i)`, undefined, { method: 'wasserstein' });
    expect(result.features.map((f) => [f.feature, f.test])).toEqual([['x', 'wasserstein'], ['c', 'chisquare']]);
  });

  it('rejects a numeric-only test on a categorical feature, naming the spec field', async () => {
    const err = await rejection(drift(`SELECT 'a' AS c`, `SELECT 'b' AS c`, [{ name: 'c', kind: 'categorical' }], { features: { c: { method: 'ks' } } }));
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toBe('monitoring.drift.features["c"].method: ks compares numbers, but feature "c" is categorical; use chisquare, jensenshannon, psi or auto');
  });

  it('reads CSV sides too', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'ref.csv'), 'x,c\n1,a\n2,a\n3,b\n');
    await writeFile(path.join(dir, 'cur.csv'), 'x,c\n1,a\n2,b\n3,b\n');
    const result = await computeDrift({ reference: 'ref.csv', current: 'cur.csv', baseDir: dir, settings: defaults });
    expect(result.features.map((f) => [f.feature, f.test])).toEqual([['x', 'chisquare'], ['c', 'chisquare']]);
    expect(feature(result, 'x').score).toBe(1);
  });

  it('names a missing current source', async () => {
    const dir = await tempDir();
    await writeParquet(path.join(dir, 'ref.parquet'), 'SELECT 1 AS x');
    const err = await rejection(computeDrift({ reference: 'ref.parquet', current: 'incoming/*.parquet', baseDir: dir, settings: defaults }));
    expect(err.type).toBe('DataNotFound');
    expect(err.message).toContain(path.join(dir, 'incoming/*.parquet'));
  });
});
