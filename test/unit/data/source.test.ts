import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataEngine } from '../../../src/data/engine.js';
import { formatOf, resolveDataSource, resolveFileSource } from '../../../src/data/source.js';
import { rejection, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();
let engine: DataEngine;
beforeAll(async () => {
  engine = await DataEngine.open({ threads: 1 });
});
afterAll(() => engine.close());

const rows = [
  { a: 1, b: 'x', y: 10 },
  { a: 2, b: 'y', y: 20 },
];

async function readAll(source: string, baseDir: string) {
  const src = await resolveFileSource(engine, source, baseDir);
  const result = await engine.rows(`SELECT a::INTEGER AS a, b, y::INTEGER AS y FROM ${src.relation} ORDER BY a`);
  return { src, result };
}

describe('resolveFileSource', () => {
  it.each([
    ['t.csv', 'a,b,y\n1,x,10\n2,y,20\n'],
    ['t.tsv', 'a\tb\ty\n1\tx\t10\n2\ty\t20\n'],
    ['t.json', JSON.stringify(rows)],
    ['t.ndjson', rows.map((r) => JSON.stringify(r)).join('\n') + '\n'],
    ['t.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n'],
  ])('reads %s', async (name, content) => {
    const dir = await tempDir();
    await writeFile(path.join(dir, name), content);
    const { result } = await readAll(name, dir);
    expect(result).toEqual(rows);
  });

  it('reads parquet', async () => {
    const dir = await tempDir();
    await writeParquet(path.join(dir, 't.parquet'), `SELECT * FROM (VALUES (1, 'x', 10), (2, 'y', 20)) t(a, b, y)`);
    const { src, result } = await readAll('t.parquet', dir);
    expect(result).toEqual(rows);
    expect(src.format).toBe('parquet');
    expect(src.origin).toBe(path.join(dir, 't.parquet'));
  });

  it('reads every supported file of a directory and ignores others', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'd'));
    await writeFile(path.join(dir, 'd', 'part-2.csv'), 'a,b,y\n2,y,20\n');
    await writeFile(path.join(dir, 'd', 'part-1.csv'), 'a,b,y\n1,x,10\n');
    await writeFile(path.join(dir, 'd', '_SUCCESS'), '');
    await writeFile(path.join(dir, 'd', 'README.md'), 'notes');
    const { src, result } = await readAll('d', dir);
    expect(result).toEqual(rows);
    expect(src.files.map((f) => path.basename(f))).toEqual(['part-1.csv', 'part-2.csv']);
  });

  it('expands a glob, relative to baseDir', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'm'));
    await writeParquet(path.join(dir, 'm', 'x-1.parquet'), `SELECT 1 AS a, 'x' AS b, 10 AS y`);
    await writeParquet(path.join(dir, 'm', 'x-2.parquet'), `SELECT 20 AS y, 'y' AS b, 2 AS a`); // other column order
    await writeParquet(path.join(dir, 'm', 'other.parquet'), `SELECT 3 AS a, 'z' AS b, 30 AS y`);
    const { src, result } = await readAll('m/x-*.parquet', dir);
    expect(result).toEqual(rows);
    expect(src.files).toHaveLength(2);
  });

  it('names the absolute path of a missing file', async () => {
    const dir = await tempDir();
    const err = await rejection(resolveFileSource(engine, 'nope/t.csv', dir));
    expect(err.type).toBe('DataNotFound');
    expect(err.message).toContain(path.join(dir, 'nope/t.csv'));
  });

  it('says when a glob matches nothing', async () => {
    const dir = await tempDir();
    const err = await rejection(resolveFileSource(engine, 'data/x/*.csv', dir));
    expect(err.type).toBe('DataNotFound');
    expect(err.message).toBe(`no files match "data/x/*.csv" (resolved to ${path.join(dir, 'data/x/*.csv')}); check the path or glob`);
  });

  it('rejects an unsupported extension, listing the supported ones', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'data.xlsx'), 'PK');
    const err = await rejection(resolveFileSource(engine, 'data.xlsx', dir));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toContain('.xlsx');
    expect(err.message).toContain('.csv .tsv .parquet .json .ndjson');
  });

  it('rejects a 0-byte file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'empty.csv'), '');
    const err = await rejection(resolveFileSource(engine, 'empty.csv', dir));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toContain(path.join(dir, 'empty.csv'));
    expect(err.message).toContain('0 bytes');
  });

  it('rejects a directory that mixes formats', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.csv'), 'a\n1\n');
    await writeFile(path.join(dir, 'b.json'), '[{"a":1}]');
    const err = await rejection(resolveFileSource(engine, '.', dir));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toMatch(/mixes file formats \(1 csv, 1 json\)/);
  });

  it('rejects a directory without data files', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    const err = await rejection(resolveFileSource(engine, dir, '/'));
    expect(err.type).toBe('DataNotFound');
  });
});

describe('resolveDataSource', () => {
  it('wraps data.query as a subquery, tolerating a trailing semicolon', async () => {
    const src = await resolveDataSource(engine, { query: 'SELECT 1 AS a UNION ALL SELECT 2 ;\n' }, '/');
    expect(await engine.rows(`SELECT sum(a)::INTEGER AS s FROM ${src.relation}`)).toEqual([{ s: 3 }]);
    expect(src.origin).toBe('data.query');
  });

  it('resolves relative paths in data.query against baseDir, and survives a trailing comment', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'rel.csv'), 'a\n5\n6\n');
    const src = await resolveDataSource(engine, { query: "SELECT a FROM 'rel.csv' -- the file next to the spec" }, dir);
    expect(await engine.rows(`SELECT sum(a)::INTEGER AS s FROM ${src.relation}`, src.queryOptions)).toEqual([{ s: 11 }]);
  });
});

describe('formatOf', () => {
  it('maps extensions case-insensitively and looks through .gz', () => {
    expect(formatOf('x/Trips.CSV')).toBe('csv');
    expect(formatOf('x.jsonl')).toBe('ndjson');
    expect(formatOf('x.tsv.gz')).toBe('tsv');
    expect(formatOf('x.txt')).toBeUndefined();
  });
});
