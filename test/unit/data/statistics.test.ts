import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { niceEdges, sturgesBins } from '../../../src/data/bins.js';
import { DataEngine, quoteLiteral } from '../../../src/data/engine.js';
import { computeStatistics, type ColumnExpectation, type ColumnKind, type DatasetStatistics } from '../../../src/data/statistics.js';
import { useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();

async function stats(select: string, kinds: Record<string, ColumnKind> = {}, expected: Record<string, ColumnExpectation> = {}): Promise<DatasetStatistics> {
  const file = await writeParquet(path.join(await tempDir(), 'd.parquet'), select);
  const engine = await DataEngine.open({ threads: 1 });
  try {
    const relation = `read_parquet(${quoteLiteral(file)})`;
    const columns = await engine.describe(`SELECT * FROM ${relation}`);
    return await computeStatistics({ engine, relation, columns, kinds: new Map(Object.entries(kinds)), expected: new Map(Object.entries(expected)), origin: file });
  } finally {
    engine.close();
  }
}

function column(s: DatasetStatistics, name: string) {
  const c = s.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

describe('nice bin edges', () => {
  it('sit on 1-2-2.5-5 steps and cover the range', () => {
    expect(niceEdges(0, 23, 20)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    expect(niceEdges(0.11, 40, 20)).toEqual(Array.from({ length: 21 }, (_, i) => 2 * i));
    expect(niceEdges(0.3, 0.7, 4)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceEdges(5, 5)).toEqual([5, 6]);
    expect(niceEdges(Number.NaN, 1)).toEqual([]);
  });

  it("Sturges' rule", () => {
    expect(sturgesBins(1000)).toBe(11);
    expect(sturgesBins(200_000)).toBe(19);
  });
});

describe('computeStatistics', () => {
  it('numeric columns: counts, moments, quantiles and a histogram on nice edges', async () => {
    // 0..99 and one null, a zero among them.
    const s = await stats(`SELECT CASE WHEN i = 100 THEN NULL ELSE i END::DOUBLE AS x FROM range(101) t(i)`);
    expect(s.rows).toBe(101);
    const x = column(s, 'x');
    expect(x).toMatchObject({ kind: 'numeric', count: 100, missing: 1, zeros: 1, nan: 0, infinite: 0, nonNumeric: 0, min: 0, max: 99, distinct: 100, distinctExact: true });
    if (x.kind !== 'numeric') throw new Error('numeric');
    expect(x.mean).toBeCloseTo(49.5, 10);
    expect(x.std).toBeCloseTo(Math.sqrt((100 * 101) / 12), 10); // sample std of 0..99
    expect(x.quantiles.map((q) => q.q)).toEqual([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]);
    expect(x.quantiles.find((q) => q.q === 0.5)?.value).toBeCloseTo(49.5, 0);
    expect(x.histogram?.edges).toEqual(Array.from({ length: 21 }, (_, i) => 5 * i));
    expect(x.histogram?.counts).toEqual(new Array(20).fill(5));
  });

  it('NaN and infinities are counted apart and left out of the moments', async () => {
    const s = await stats(`SELECT * FROM (VALUES (1.0::DOUBLE), (3.0), ('NaN'::DOUBLE), ('inf'::DOUBLE), ('-inf'::DOUBLE)) t(v)`);
    expect(column(s, 'v')).toMatchObject({ count: 5, nan: 1, infinite: 2, min: 1, max: 3, mean: 2 });
  });

  it('text in a numeric column: non-numeric values counted, the smallest quoted', async () => {
    const s = await stats(`SELECT * FROM (VALUES ('1'), ('2.5'), ('n/a'), ('abc'), (NULL)) t(v)`, { v: 'numeric' });
    expect(column(s, 'v')).toMatchObject({ kind: 'numeric', count: 4, missing: 1, nonNumeric: 2, nonNumericExample: 'abc', min: 1, max: 2.5 });
  });

  it('categorical columns: exact distinct count and values by frequency (ties by value)', async () => {
    const s = await stats(`SELECT * FROM (VALUES ('b'), ('a'), ('b'), ('c'), ('a'), (NULL), ('b')) t(v)`);
    expect(column(s, 'v')).toMatchObject({
      kind: 'categorical',
      count: 6,
      missing: 1,
      distinct: 3,
      values: [{ value: 'b', count: 3 }, { value: 'a', count: 2 }, { value: 'c', count: 1 }],
    });
  });

  it('high-cardinality categories keep the top 1000 and the exact distinct count', async () => {
    const s = await stats(`SELECT 'id' || i AS id FROM range(30000) t(i)`);
    const id = column(s, 'id');
    expect(id).toMatchObject({ distinct: 30000, distinctExact: true });
    if (id.kind !== 'categorical') throw new Error('categorical');
    expect(id.values).toHaveLength(1000);
  });

  it('dates are "other": count, missing and range; duplicates are counted over whole rows', async () => {
    const s = await stats(`SELECT * FROM (VALUES (DATE '2024-01-02', 1), (DATE '2024-01-01', 1), (DATE '2024-01-02', 1), (NULL, 2)) t(d, n)`);
    expect(column(s, 'd')).toMatchObject({ kind: 'other', count: 3, missing: 1, min: '2024-01-01', max: '2024-01-02' });
    expect(s.duplicates).toBe(1);
  });

  it('all-null columns and names with spaces, quotes and unicode', async () => {
    const s = await stats(`SELECT NULL::DOUBLE AS "Body Mass (g)", NULL::VARCHAR AS "naïve ""q""", 1 AS "日本" FROM range(3)`);
    expect(column(s, 'Body Mass (g)')).toMatchObject({ count: 0, missing: 3, min: null, max: null, mean: null, histogram: null });
    expect(column(s, 'naïve "q"')).toMatchObject({ kind: 'categorical', count: 0, missing: 3, distinct: 0, values: [] });
    expect(column(s, '日本')).toMatchObject({ count: 3, min: 1, max: 1 });
  });

  it('with expectations: out-of-range and unseen counts, histogram edges from the expected range', async () => {
    const s = await stats(`SELECT i::DOUBLE AS x, CASE WHEN i < 8 THEN 'a' ELSE 'z' END AS c FROM range(10) t(i)`, {}, { x: { range: { min: 0, max: 5 } }, c: { domain: ['a', 'b'] } });
    const x = column(s, 'x');
    expect(x).toMatchObject({ outOfRange: 4 });
    if (x.kind !== 'numeric') throw new Error('numeric');
    expect(x.histogram?.edges[0]).toBe(0);
    expect(x.histogram?.edges.at(-1)).toBe(5);
    expect(x.histogram?.overflow).toBe(4);
    expect(column(s, 'c')).toMatchObject({ unseen: 2 });
  });

  it('an empty dataset has zero counts and no histograms', async () => {
    const s = await stats(`SELECT 1.0 AS x, 'a' AS c WHERE false`);
    expect(s.rows).toBe(0);
    expect(column(s, 'x')).toMatchObject({ count: 0, missing: 0, histogram: null });
  });
});
