import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../../src/data/split.js';
import { abySelect, makeSpec, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();

async function snapshot(select: string): Promise<string> {
  return writeParquet(path.join(await tempDir(), 'snap.parquet'), select);
}

describe('loadSplit', () => {
  it('splits randomly, deterministically and in the requested proportion', async () => {
    const dataset = await snapshot(abySelect(1000));
    const spec = makeSpec({ source: 'x', split: { method: 'random', test: 0.25, seed: 7 } });
    const first = await loadSplit({ dataset, spec });
    const again = await loadSplit({ dataset, spec });
    expect(again).toEqual(first);
    expect(first.test.rows).toBe(250);
    expect(first.train.rows).toBe(750);
    const testA = first.test.columns['a'] as number[];
    const trainA = new Set(first.train.columns['a'] as number[]);
    expect(testA.some((a) => trainA.has(a))).toBe(false);
    // Not just the first or last rows: the test rows are spread over the range.
    expect(Math.min(...testA)).toBeLessThan(50);
    expect(Math.max(...testA)).toBeGreaterThan(950);

    const reseeded = await loadSplit({ dataset, spec: makeSpec({ source: 'x', split: { method: 'random', test: 0.25, seed: 8 } }) });
    expect(reseeded.test.columns['a']).not.toEqual(testA);
  });

  it('returns numbers for numeric columns, strings for categorical ones, null when missing', async () => {
    const dataset = await snapshot(
      `SELECT i::BIGINT AS a, CASE WHEN i = 1 THEN NULL ELSE i END AS b, i * 1.5 AS y FROM range(10) t(i) UNION ALL SELECT NULL, 5, 99`,
    );
    const { train, test } = await loadSplit({ dataset, spec: makeSpec({ source: 'x', split: { method: 'random', test: 0.2, seed: 1 } }) });
    const all = { a: [...train.columns['a']!, ...test.columns['a']!], b: [...train.columns['b']!, ...test.columns['b']!] };
    expect(train.rows + test.rows).toBe(11);
    expect(all.a.filter((v) => v !== null).every((v) => typeof v === 'number')).toBe(true);
    expect(all.a).toContain(null);
    expect(all.b.filter((v) => v !== null).every((v) => typeof v === 'string')).toBe(true);
    expect(all.b).toContain(null);
    expect(Object.keys(train.columns).sort()).toEqual(['a', 'b', 'y']);
  });

  it('drops rows without a target, and rows whose regression target is not a finite number', async () => {
    const dataset = await snapshot(`SELECT i AS a, 'p' AS b, CASE WHEN i < 3 THEN NULL WHEN i = 3 THEN 'nan'::DOUBLE ELSE i END AS y FROM range(20) t(i)`);
    const { train, test } = await loadSplit({ dataset, spec: makeSpec({ source: 'x' }) });
    expect(train.rows + test.rows).toBe(16);
    expect([...train.columns['y']!, ...test.columns['y']!].every((v) => typeof v === 'number' && v >= 4)).toBe(true);
  });

  it('puts the latest rows in the test split for a time split', async () => {
    const dataset = await snapshot(
      `SELECT TIMESTAMP '2024-01-01' + INTERVAL ((i * 37) % 100) DAY AS ts, i::DOUBLE AS a, 'p' AS b, (i * 37) % 100 AS y FROM range(100) t(i)`,
    );
    const spec = makeSpec({ source: 'x', split: { method: 'time', column: 'ts', test: 0.2 } });
    const { train, test } = await loadSplit({ dataset, spec });
    expect(test.rows).toBe(20);
    // y is the day offset, so the test split holds exactly days 80–99.
    expect([...(test.columns['y'] as number[])].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
    expect(Math.max(...(train.columns['y'] as number[]))).toBe(79);
    expect(Object.keys(test.columns)).not.toContain('ts');
  });

  it('keeps at least one row on each side of a tiny dataset', async () => {
    const dataset = await snapshot(abySelect(3));
    const { train, test } = await loadSplit({ dataset, spec: makeSpec({ source: 'x', split: { method: 'random', test: 0.01, seed: 1 } }) });
    expect([train.rows, test.rows]).toEqual([2, 1]);
  });
});
