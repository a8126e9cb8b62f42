import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferSchema, loadDataSchemaFile, parseDataSchema, serializeDataSchema } from '../../../src/data/data-schema.js';
import type { DatasetStatistics } from '../../../src/data/statistics.js';
import { makeSpec, rejection, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('the data schema', () => {
  it('fills defaults for a hand-written column: required, any missing share, no range or domain', () => {
    expect(parseDataSchema({ columns: [{ name: 'a', kind: 'numeric' }] }, 'x')).toEqual({
      version: 1,
      columns: [{ name: 'a', kind: 'numeric', role: 'other', required: true, maxMissingRatio: 1 }],
    });
  });

  it('says which field of which file is wrong', () => {
    expect(() => parseDataSchema({ columns: [{ name: 'a', kind: 'number', range: { min: 2, max: 1 } }] }, '/s.json')).toThrow(
      /^invalid data schema \/s\.json: columns\.0\.kind: .*; columns\.0\.range: range\.min must be ≤ range\.max$/,
    );
  });

  it('loads a pinned schema as JSON or YAML, relative to the spec folder', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 's.json'), JSON.stringify({ columns: [{ name: 'a', kind: 'numeric', range: { min: 0, max: 1 } }] }));
    await writeFile(path.join(dir, 's.yaml'), 'columns:\n  - { name: b, kind: categorical, domain: [x, y] }\n');
    expect((await loadDataSchemaFile('s.json', dir)).columns[0]?.range).toEqual({ min: 0, max: 1 });
    expect((await loadDataSchemaFile('s.yaml', dir)).columns[0]?.domain).toEqual(['x', 'y']);
  });

  it('names a missing or unparsable schema file', async () => {
    const dir = await tempDir();
    const missing = await rejection(loadDataSchemaFile('nope.json', dir));
    expect(missing.type).toBe('SpecInvalid');
    expect(missing.message).toBe(`cannot read the data schema ${path.join(dir, 'nope.json')} (data.schema): no such file`);
    await writeFile(path.join(dir, 'bad.json'), '{ columns: ');
    expect((await rejection(loadDataSchemaFile('bad.json', dir))).message).toMatch(/^the data schema .*bad\.json \(data\.schema\) is not valid JSON: /);
  });

  it('infers no domain for a column with more than 1000 values, and round-trips as JSON', () => {
    const stats: DatasetStatistics = {
      version: 1,
      origin: 'o',
      rows: 5000,
      duplicates: 0,
      columns: [
        { name: 'id', type: 'VARCHAR', kind: 'categorical', count: 5000, missing: 0, distinct: 5000, distinctExact: true, values: [] },
        { name: 'y', type: 'DOUBLE', kind: 'numeric', count: 4000, missing: 1000, distinct: 10, distinctExact: true, nonNumeric: 0, nan: 0, infinite: 0, zeros: 0, min: 1, max: 2, mean: 1.5, std: 0.5, quantiles: [], histogram: null },
      ],
    };
    const schema = inferSchema(stats, makeSpec({ source: 'x', features: [{ name: 'id', type: 'categorical' }] }));
    expect(schema.columns[0]).toEqual({ name: 'id', kind: 'categorical', role: 'feature', required: true, type: 'VARCHAR', maxMissingRatio: 0.05 });
    expect(schema.columns[1]).toMatchObject({ role: 'target', maxMissingRatio: 0.25, range: { min: 1, max: 2 } });
    expect(parseDataSchema(JSON.parse(serializeDataSchema(schema)), 'x')).toEqual(schema);
  });
});
