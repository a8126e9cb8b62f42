import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataEngine } from '../../../src/data/engine.js';
import { ingestDataset } from '../../../src/data/ingest.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { abySelect, makeSpec, rejection, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();

async function setup() {
  const dir = await tempDir();
  return { dir, store: new FileArtifactStore(path.join(dir, 'store')) };
}

/** Writes `content` to `name` in a fresh folder, ingests it as data.source, and returns the error with the file's path. */
async function ingestFailure(name: string, content: string) {
  const { dir, store } = await setup();
  const file = path.join(dir, name);
  await writeFile(file, content);
  return { file, err: await rejection(ingestDataset({ spec: makeSpec({ source: name }), baseDir: dir, store })) };
}

async function snapshotRows(uri: string) {
  const engine = await DataEngine.open({ threads: 1 });
  try {
    return await engine.rows(`SELECT * FROM read_parquet('${fileURLToPath(uri)}')`);
  } finally {
    engine.close();
  }
}

describe('ingestDataset', () => {
  it('snapshots the spec columns of a CSV to Parquet with row count and types', async () => {
    const { dir, store } = await setup();
    await writeFile(path.join(dir, 'd.csv'), 'a,b,y,extra\n1.5,p,3,zz\n2.5,q,5,zz\n');
    const ref = await ingestDataset({ spec: makeSpec({ source: 'd.csv' }), baseDir: dir, store });
    expect(ref.rows).toBe(2);
    expect(ref.columns).toEqual([
      { name: 'y', type: 'BIGINT' },
      { name: 'a', type: 'DOUBLE' },
      { name: 'b', type: 'VARCHAR' },
    ]);
    expect(ref.uri).toMatch(/^file:\/\/.*\.parquet$/);
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await snapshotRows(ref.uri)).toEqual([
      { y: 3n, a: 1.5, b: 'p' },
      { y: 5n, a: 2.5, b: 'q' },
    ]);
  });

  it("keeps every column with columns: 'all', and the time-split column by default", async () => {
    const { dir, store } = await setup();
    await writeFile(path.join(dir, 'd.csv'), 'ts,a,b,y,extra\n2024-01-01 10:00:00,1,p,3,zz\n');
    const all = await ingestDataset({ spec: makeSpec({ source: 'd.csv' }), baseDir: dir, store, columns: 'all' });
    expect(all.columns.map((c) => c.name)).toEqual(['ts', 'a', 'b', 'y', 'extra']);
    const timed = await ingestDataset({ spec: makeSpec({ source: 'd.csv', split: { method: 'time', column: 'ts', test: 0.2 } }), baseDir: dir, store });
    expect(timed.columns).toContainEqual({ name: 'ts', type: 'TIMESTAMP' });
    expect(timed.columns.map((c) => c.name)).not.toContain('extra');
  });

  it('handles column names with spaces, quotes and unicode', async () => {
    const { dir, store } = await setup();
    const names = ['Body Mass (g)', 'say "hi"', "it's", 'naïve ☕'];
    const rows = [names.map((n) => `"${n.replaceAll('"', '""')}"`).join(','), '4200,x,1,p', '3900,y,0,q', ''].join('\n');
    await writeFile(path.join(dir, 'penguins.csv'), rows);
    const spec = makeSpec({
      source: 'penguins.csv',
      target: 'Body Mass (g)',
      features: [
        { name: 'say "hi"', type: 'categorical' },
        { name: "it's", type: 'numeric' },
        { name: 'naïve ☕', type: 'categorical' },
      ],
    });
    const ref = await ingestDataset({ spec, baseDir: dir, store });
    expect(ref.rows).toBe(2);
    expect(ref.columns.map((c) => c.name)).toEqual(names);
  });

  it('reads a glob of Parquet files into one deterministic snapshot', async () => {
    const { dir, store } = await setup();
    await writeParquet(path.join(dir, 'm-1.parquet'), abySelect(100));
    await writeParquet(path.join(dir, 'm-2.parquet'), abySelect(50));
    const spec = makeSpec({ source: 'm-*.parquet' });
    const first = await ingestDataset({ spec, baseDir: dir, store });
    const second = await ingestDataset({ spec, baseDir: dir, store });
    expect(first.rows).toBe(150);
    expect(second.sha256).toBe(first.sha256);
  });

  it('ingests the result of data.query', async () => {
    const { dir, store } = await setup();
    const spec = makeSpec({ source: undefined, query: `${abySelect(10)} WHERE i < 4;` });
    expect((await ingestDataset({ spec, baseDir: dir, store })).rows).toBe(4);
  });

  it('reports a broken data.query as DataUnreadable', async () => {
    const { dir, store } = await setup();
    const err = await rejection(ingestDataset({ spec: makeSpec({ source: undefined, query: 'SELEC 1' }), baseDir: dir, store }));
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toMatch(/^data\.query failed: Parser Error/);
  });

  it('names a missing column and lists the columns found', async () => {
    const { dir, store } = await setup();
    await writeFile(path.join(dir, 'd.csv'), 'a,b,c\n1,2,3\n');
    const spec = makeSpec({ source: 'd.csv', target: 'a', features: [{ name: 'xyz', type: 'numeric' }] });
    const err = await rejection(ingestDataset({ spec, baseDir: dir, store }));
    expect(err.type).toBe('DataInvalid');
    expect(err.message).toBe('column "xyz" named in data.features is not in the data; columns found: a, b, c');
  });

  it('hints at a column that differs only in case', async () => {
    const { err } = await ingestFailure('d.csv', 'A,b,y\n1,2,3\n');
    expect(err.message).toContain('did you mean "A"?');
  });

  it('reports a malformed CSV as DataUnreadable naming the file and the reason, on one line', async () => {
    const good = Array.from({ length: 30_000 }, (_, i) => `${i},p,${i}`).join('\n');
    const { file, err } = await ingestFailure('bad.csv', `a,b,y\n${good}\n1,2,3,4\n`);
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toContain(file);
    expect(err.message).toContain('Expected Number of Columns: 3 Found: 4');
    expect(err.message).not.toContain('\n');
  });

  it('reports a file that is not Parquet as DataUnreadable', async () => {
    const { file, err } = await ingestFailure('x.parquet', 'this is not parquet at all');
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toContain(file);
    expect(err.message).not.toContain('\n');
  });

  it('reports a 0-byte file as DataUnreadable', async () => {
    const { err } = await ingestFailure('d.parquet', '');
    expect(err.type).toBe('DataUnreadable');
    expect(err.message).toContain('0 bytes');
  });
});
