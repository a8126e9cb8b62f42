import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anomalyError, type Anomaly } from '../../../src/data/anomalies.js';
import type { DataSchema } from '../../../src/data/data-schema.js';
import { validateDataset, assertValid } from '../../../src/data/validate.js';
import type { PipelineSpecInput } from '../../../src/spec/schema.js';
import { abySelect, makeSpec, rejection, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();

/** Writes `select` to Parquet and validates it (schema inferred unless given). */
async function validate(select: string, data: Parameters<typeof makeSpec>[0] = {}, rest: Partial<PipelineSpecInput> = {}, schema?: DataSchema) {
  const file = await writeParquet(path.join(await tempDir(), 'd.parquet'), select);
  return validateDataset({ dataset: file, spec: makeSpec({ source: 'unused.parquet', ...data }, rest), schema, origin: 'data/d.parquet' });
}

/** The anomalies as [severity, kind, column]. */
function kinds(anomalies: readonly Anomaly[]): [string, string, string | undefined][] {
  return anomalies.map((a) => [a.severity, a.kind, a.column]);
}

/** A schema for `a` (numeric 0..10), `b` (categorical p/q), `y` (numeric), all required. */
function schema(overrides: Partial<Record<'a' | 'b' | 'y', Partial<DataSchema['columns'][number]>>> = {}): DataSchema {
  return {
    version: 1,
    columns: [
      { name: 'a', kind: 'numeric', role: 'feature', required: true, maxMissingRatio: 0.05, range: { min: 0, max: 10 }, ...overrides.a },
      { name: 'b', kind: 'categorical', role: 'feature', required: true, maxMissingRatio: 0.05, domain: ['p', 'q'], ...overrides.b },
      { name: 'y', kind: 'numeric', role: 'target', required: true, maxMissingRatio: 0.05, ...overrides.y },
    ],
  };
}

describe('validateDataset: statistics and an inferred schema', () => {
  it('a clean dataset: no anomalies, a schema with ranges, domains and missing bounds', async () => {
    const outcome = await validate(`SELECT a, b, CASE WHEN a = 3 THEN NULL ELSE y END AS y FROM (${abySelect(100)})`);
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.rowCount).toBe(100);
    expect(outcome.columns).toEqual([
      { name: 'a', type: 'DOUBLE', missing: 0 },
      { name: 'b', type: 'VARCHAR', missing: 0 },
      { name: 'y', type: 'BIGINT', missing: 1 },
    ]);
    expect(outcome.schemaInferred).toBe(true);
    expect(outcome.schema.columns).toEqual([
      { name: 'a', kind: 'numeric', role: 'feature', required: true, type: 'DOUBLE', maxMissingRatio: 0.05, range: { min: 0, max: 99 } },
      { name: 'b', kind: 'categorical', role: 'feature', required: true, type: 'VARCHAR', maxMissingRatio: 0.05, domain: ['p', 'q'] },
      { name: 'y', kind: 'numeric', role: 'target', required: true, type: 'BIGINT', maxMissingRatio: 0.06, range: { min: 0, max: 199 } },
    ]);
    expect(outcome.schema.inferredFrom).toEqual({ origin: 'data/d.parquet', rows: 100 });
  });

  it('profiles only the spec columns (and the schema columns)', async () => {
    const outcome = await validate(`SELECT *, 1 AS extra FROM (${abySelect(20)})`);
    expect(outcome.statistics.columns.map((c) => c.name)).toEqual(['a', 'b', 'y']);
  });

  it('reads data.query when no dataset is given', async () => {
    const outcome = await validateDataset({ spec: makeSpec({ query: abySelect(30) }), baseDir: await tempDir() });
    expect(outcome).toMatchObject({ rowCount: 30, origin: 'data.query', anomalies: [] });
  });
});

describe('anomalies, one kind at a time', () => {
  it('emptyDataset', async () => {
    const { anomalies } = await validate(`${abySelect(10)} WHERE false`);
    expect(anomalies).toEqual([{ kind: 'emptyDataset', severity: 'error', message: 'the dataset has 0 rows; check the source (data.source or data.query)', value: 0 }]);
  });

  it('tooFewRows (validation.minRows)', async () => {
    expect(kinds((await validate(abySelect(5))).anomalies)).toEqual([['error', 'tooFewRows', undefined]]);
    expect((await validate(abySelect(5), {}, { validation: { minRows: 5 } })).anomalies).toEqual([]);
  });

  it('missingTarget: absent, or null in every row', async () => {
    const absent = await validate(abySelect(20), { target: 'label' });
    expect(absent.anomalies[0]).toMatchObject({ kind: 'missingTarget', severity: 'error', column: 'label', message: 'target column "label" (data.target) is not in the data; columns found: a, b' });
    const allNull = await validate(`SELECT a, b, NULL::DOUBLE AS y FROM (${abySelect(20)})`);
    expect(allNull.anomalies).toEqual([{ kind: 'missingTarget', severity: 'error', column: 'y', message: 'target "y" is null in every row; check the column or the source', value: 20 }]);
  });

  it('missingColumn: a spec feature (error) or an optional schema column (warning)', async () => {
    const feature = await validate(abySelect(20), { features: [{ name: 'c', type: 'numeric' }] });
    expect(kinds(feature.anomalies)).toContainEqual(['error', 'missingColumn', 'c']);
    const optional = schema();
    optional.columns.push({ name: 'note', kind: 'other', role: 'other', required: false, maxMissingRatio: 1 });
    const inRange = `SELECT (i % 10)::DOUBLE AS a, CASE WHEN i % 2 = 0 THEN 'p' ELSE 'q' END AS b, i AS y FROM range(20) t(i)`;
    expect(kinds((await validate(inRange, {}, {}, optional)).anomalies)).toEqual([['warning', 'missingColumn', 'note']]);
  });

  it('unexpectedColumn: a column the schema does not know', async () => {
    const known = schema();
    known.columns = known.columns.filter((c) => c.name !== 'b');
    const { anomalies } = await validate(`SELECT (i % 10)::DOUBLE AS a, 'p' || (i % 2) AS b, i AS y FROM range(20) t(i)`, {}, {}, known);
    expect(kinds(anomalies)).toEqual([['warning', 'unexpectedColumn', 'b']]);
  });

  it('typeMismatch: text in a numeric feature is an error that quotes it; numbers stored as text a warning', async () => {
    const bad = await validate(`SELECT CASE WHEN i = 7 THEN 'n/a' ELSE i::VARCHAR END AS a, 'p' || (i % 2) AS b, i AS y FROM range(20) t(i)`);
    expect(bad.anomalies[0]).toMatchObject({
      kind: 'typeMismatch',
      severity: 'error',
      column: 'a',
      message: 'feature "a" must be numeric but holds "n/a" (type VARCHAR, 1 such rows); clean the column or declare it categorical',
    });
    const text = await validate(`SELECT i::VARCHAR AS a, 'p' || (i % 2) AS b, i AS y FROM range(20) t(i)`);
    expect(kinds(text.anomalies)).toEqual([['warning', 'typeMismatch', 'a']]);
    const regression = await validate(`SELECT i::DOUBLE AS a, 'p' || (i % 2) AS b, 'label' || i AS y FROM range(20) t(i)`);
    expect(regression.anomalies[0]?.message).toBe('target "y" must be numeric but holds "label0" (type VARCHAR, 20 such rows); clean the column or use task: classification');
  });

  it('typeMismatch: a feature declared differently from the schema', async () => {
    const { anomalies } = await validate(abySelect(20), {}, {}, schema({ b: { kind: 'numeric', domain: undefined } }));
    expect(anomalies).toContainEqual(expect.objectContaining({ kind: 'typeMismatch', severity: 'warning', column: 'b' }));
  });

  it("missingRatio: above the schema's bound, or null in every row", async () => {
    const select = `SELECT CASE WHEN i < 16 THEN NULL ELSE (i % 10)::DOUBLE END AS a, NULL::VARCHAR AS b, i AS y FROM range(20) t(i)`;
    const { anomalies } = await validate(select, {}, {}, schema());
    expect(anomalies.filter((a) => a.kind === 'missingRatio')).toEqual([
      { kind: 'missingRatio', severity: 'warning', column: 'a', message: "feature \"a\" is missing in 80% of rows, above the schema's bound of 5%", value: 0.8 },
      { kind: 'missingRatio', severity: 'warning', column: 'b', message: 'feature "b" is null in every row; it carries no signal', value: 1 },
    ]);
  });

  it("outOfRange: values outside the schema's range, above validation.outOfRangeRatio", async () => {
    const select = `SELECT i::DOUBLE AS a, 'p' AS b, i AS y FROM range(20) t(i)`;
    const { anomalies } = await validate(select, {}, {}, schema());
    expect(anomalies.find((a) => a.kind === 'outOfRange')).toEqual({
      kind: 'outOfRange',
      severity: 'warning',
      column: 'a',
      message: "feature \"a\" has 9 values (45%) outside the schema's range [0, 10] (seen: [0, 19])",
      value: 0.45,
    });
    expect((await validate(select, {}, { validation: { outOfRangeRatio: 0.5 } }, schema())).anomalies.some((a) => a.kind === 'outOfRange')).toBe(false);
  });

  it("unseenCategories: values outside the schema's domain above validation.unseenCategoryRatio", async () => {
    const select = `SELECT (i % 10)::DOUBLE AS a, CASE WHEN i < 15 THEN 'p' WHEN i < 19 THEN 'new' ELSE 'x' END AS b, i AS y FROM range(20) t(i)`;
    const { anomalies } = await validate(select, {}, {}, schema());
    expect(anomalies).toEqual([
      {
        kind: 'unseenCategories',
        severity: 'warning',
        column: 'b',
        message: `feature "b" has 25% of values outside the schema's domain (e.g. "new", "x"), above validation.unseenCategoryRatio (1%)`,
        value: 0.25,
      },
    ]);
    expect((await validate(select, {}, { validation: { unseenCategoryRatio: 0.3 } }, schema())).anomalies).toEqual([]);
  });

  it('nanInfinity: a warning in a feature, an error in the target', async () => {
    const select = `SELECT CASE WHEN i = 1 THEN 'NaN'::DOUBLE WHEN i = 2 THEN 'inf'::DOUBLE ELSE i END AS a, 'p' || (i % 2) AS b,
      CASE WHEN i = 3 THEN '-inf'::DOUBLE ELSE i END AS y FROM range(20) t(i)`;
    const { anomalies } = await validate(select);
    expect(anomalies.filter((a) => a.kind === 'nanInfinity')).toEqual([
      { kind: 'nanInfinity', severity: 'error', column: 'y', message: 'target "y" holds 1 infinite values; those rows cannot be trained on; clean the target', value: 1 },
      { kind: 'nanInfinity', severity: 'warning', column: 'a', message: 'feature "a" holds 1 NaN and 1 infinite values; they are treated as missing', value: 2 },
    ]);
  });

  it('constantColumn: a warning for a feature, an error for a single-class classification target', async () => {
    const feature = await validate(`SELECT a, 'same' AS b, y FROM (${abySelect(20)})`);
    expect(feature.anomalies).toEqual([
      { kind: 'constantColumn', severity: 'warning', column: 'b', message: 'feature "b" has a single value ("same"); it carries no signal', value: 1 },
    ]);
    const target = await validate(`SELECT a, b, 'yes' AS y FROM (${abySelect(20)})`, {}, { task: 'classification' });
    expect(target.anomalies[0]?.message).toBe('target "y" has a single class ("yes"); classification needs at least two classes');
  });

  it('validation.severity overrides any kind', async () => {
    const select = `SELECT i::DOUBLE AS a, 'same' AS b, i AS y FROM range(20) t(i)`;
    const { anomalies } = await validate(select, {}, { validation: { severity: { outOfRange: 'error', constantColumn: 'off' } } }, schema({ b: { domain: ['same'] } }));
    expect(kinds(anomalies)).toEqual([['error', 'outOfRange', 'a']]);
  });
});

describe('errors stop the pipeline', () => {
  it('DataInvalid lists every error on one line, after the origin', async () => {
    const outcome = await validate(`SELECT CASE WHEN i = 3 THEN 'n/a' ELSE i::VARCHAR END AS a, 'same' AS b, i AS y FROM range(5) t(i)`);
    const err = anomalyError(outcome.anomalies, outcome.origin);
    expect(err?.type).toBe('DataInvalid');
    expect(err?.message).toBe(
      'data/d.parquet: 2 data errors (and 1 warning): the dataset has 5 rows, fewer than validation.minRows (10); feature "a" must be numeric but holds "n/a" (type VARCHAR, 1 such rows); clean the column or declare it categorical',
    );
    expect(err?.details).toEqual({ anomalies: [{ kind: 'tooFewRows', column: undefined }, { kind: 'typeMismatch', column: 'a' }] });
    expect(() => assertValid(outcome)).toThrow(err?.message);
    expect(() => assertValid({ anomalies: [], origin: 'x' })).not.toThrow();
  });
});

describe('bad input', () => {
  async function csv(name: string, text: string): Promise<string> {
    const file = path.join(await tempDir(), name);
    await writeFile(file, text);
    return file;
  }

  it('a malformed CSV line among the first rows: names the file and the line', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},p,${i}`).join('\n');
    const file = await csv('bad.csv', `a,b,y\n${rows}\n1,2\n5,p,6\n`);
    const err = await rejection(validateDataset({ dataset: file, spec: makeSpec({ source: 'x' }) }));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toBe(`cannot read ${file}: line 102 has 2 fields but the header has 3; fix or remove that line`);
  });

  it('mixed types in a CSV column: names the file, the line and the column', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},p,${i}`).join('\n');
    const file = await csv('mixed.csv', `a,b,y\n${rows}\noops,p,1\n`);
    const err = await rejection(validateDataset({ dataset: file, spec: makeSpec({ source: 'x' }) }));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toContain(`cannot read ${file}`);
    expect(err.message).toContain('Line: 30002');
    expect(err.message).toContain('column "a"');
    expect(err.message).toContain('the column mixes types');
    expect(err.message).not.toContain('\n');
  });

  it('a wrong extension, and a file that is not what its extension says', async () => {
    const txt = await csv('d.txt', 'a,b,y\n1,p,2\n');
    expect((await rejection(validateDataset({ dataset: txt, spec: makeSpec({ source: 'x' }) }))).message).toMatch(/unsupported extension \.txt; supported: \.csv/);
    const fake = await csv('d.parquet', 'a,b,y\n1,p,2\n');
    const err = await rejection(validateDataset({ dataset: fake, spec: makeSpec({ source: 'x' }) }));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toMatch(new RegExp(`^cannot read ${fake}: .*the file is not Parquet: check that its extension matches its format$`));
  });

  it('a glob that matches nothing, and a 0-byte file', async () => {
    const dir = await tempDir();
    const none = await rejection(validateDataset({ dataset: 'data/*.parquet', baseDir: dir, spec: makeSpec({ source: 'x' }) }));
    expect(none.type).toBe('DataNotFound');
    expect(none.message).toContain(path.join(dir, 'data/*.parquet'));
    const empty = await csv('empty.csv', '');
    const zero = await rejection(validateDataset({ dataset: empty, spec: makeSpec({ source: 'x' }) }));
    expect(zero.message).toBe(`data file ${empty} is empty (0 bytes); regenerate or remove it`);
  });

  it('column names with spaces, quotes and unicode, and an all-null feature', async () => {
    const select = `SELECT i::DOUBLE AS "Body Mass (g)", NULL::VARCHAR AS "Spécies ""x""", i * 2 AS "目标" FROM range(20) t(i)`;
    const outcome = await validate(select, {
      target: '目标',
      features: [
        { name: 'Body Mass (g)', type: 'numeric' },
        { name: 'Spécies "x"', type: 'categorical' },
      ],
    });
    expect(outcome.anomalies).toEqual([
      { kind: 'missingRatio', severity: 'warning', column: 'Spécies "x"', message: 'feature "Spécies "x"" is null in every row; it carries no signal', value: 1 },
    ]);
    expect(outcome.schema.columns.map((c) => c.name)).toEqual(['Body Mass (g)', 'Spécies "x"', '目标']);
  });
});
