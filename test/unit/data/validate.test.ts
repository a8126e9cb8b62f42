import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDataset } from '../../../src/data/validate.js';
import { abySelect, makeSpec, rejection, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();

/** Writes `select` to a Parquet file and validates it against the spec built from `data` and `rest`. */
async function validate(select: string, data: Parameters<typeof makeSpec>[0] = {}, rest: Parameters<typeof makeSpec>[1] = {}) {
  const file = await writeParquet(path.join(await tempDir(), 'd.parquet'), select);
  return validateDataset({ dataset: file, spec: makeSpec({ source: 'unused.parquet', ...data }, rest) });
}

async function invalid(p: Promise<unknown>): Promise<string> {
  const err = await rejection(p);
  expect(err.type).toBe('DataInvalid');
  return err.message;
}

describe('validateDataset', () => {
  it('summarises rows, types and missing values per column', async () => {
    const summary = await validate(`SELECT a, b, CASE WHEN a = 3 THEN NULL ELSE y END AS y FROM (${abySelect(100)})`);
    expect(summary.rowCount).toBe(100);
    expect(summary.columns).toEqual([
      { name: 'a', type: 'DOUBLE', missing: 0 },
      { name: 'b', type: 'VARCHAR', missing: 0 },
      { name: 'y', type: 'BIGINT', missing: 1 },
    ]);
    expect(summary.warnings).toEqual(['1 of 100 rows have no target "y"; they are dropped before training']);
  });

  it('warns about constant, mostly-missing and text-encoded numeric features', async () => {
    const select = `SELECT CASE WHEN i < 80 THEN NULL ELSE i::VARCHAR END AS a, 'same' AS b, i AS y FROM range(100) t(i)`;
    const { warnings } = await validate(select);
    expect(warnings).toContain('numeric feature "a" is stored as VARCHAR; its values are cast to numbers');
    expect(warnings).toContain('feature "a" is missing in 80% of rows');
    expect(warnings).toContain('feature "b" has a single value ("same"); it carries no signal');
  });

  it('rejects an empty dataset', async () => {
    expect(await invalid(validate(`${abySelect(10)} WHERE false`))).toBe('the dataset has 0 rows; check data.source');
  });

  it('rejects a missing target or feature, naming it', async () => {
    expect(await invalid(validate(abySelect(5), { target: 'label' }))).toBe(
      'column "label" named in data.target is not in the data; columns found: a, b, y',
    );
    expect(await invalid(validate(abySelect(5), { features: [{ name: 'c', type: 'numeric' }] }))).toMatch(/^column "c" named in data.features/);
  });

  it('rejects a numeric feature holding text, quoting a bad value', async () => {
    const select = `SELECT CASE WHEN i = 7 THEN 'n/a' ELSE i::VARCHAR END AS a, 'p' AS b, i AS y FROM range(20) t(i)`;
    const message = await invalid(validate(select));
    expect(message).toBe('feature "a" is declared numeric but holds "n/a" (type VARCHAR, 1 such rows); clean the column or declare it categorical');
  });

  it('rejects a numeric feature of a non-numeric type', async () => {
    const select = `SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS a, 'p' AS b, i AS y FROM range(3) t(i)`;
    expect(await invalid(validate(select))).toMatch(/^feature "a" is declared numeric but holds "2024-01-01 00:00:00" \(type TIMESTAMP/);
  });

  it('rejects a non-numeric regression target', async () => {
    const select = `SELECT i AS a, 'p' AS b, CASE WHEN i % 2 = 0 THEN 'short' ELSE 'long' END AS y FROM range(10) t(i)`;
    expect(await invalid(validate(select))).toMatch(/^data.target "y" must be numeric for task: regression, but it holds "long"/);
  });

  it('rejects a classification target with a single class', async () => {
    const select = `SELECT i AS a, 'p' AS b, 'yes' AS y FROM range(10) t(i)`;
    expect(await invalid(validate(select, {}, { task: 'classification' }))).toBe(
      'data.target "y" has a single class ("yes"); classification needs at least two classes',
    );
  });

  it('accepts a text classification target with two classes', async () => {
    const select = `SELECT i AS a, 'p' AS b, CASE WHEN i < 60 THEN 'yes' ELSE 'no' END AS y FROM range(100) t(i)`;
    expect((await validate(select, {}, { task: 'classification' })).warnings).toEqual(['feature "b" has a single value ("p"); it carries no signal']);
  });

  it('rejects a target that is null in every row', async () => {
    const select = `SELECT i AS a, 'p' AS b, NULL::DOUBLE AS y FROM range(10) t(i)`;
    expect(await invalid(validate(select))).toBe('data.target "y" is null in every row; check the column or the source');
  });
});
