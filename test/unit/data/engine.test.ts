import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataEngine, duckdbReason, quoteIdent, quoteLiteral, withEngine } from '../../../src/data/engine.js';

let engine: DataEngine;
beforeAll(async () => {
  engine = await DataEngine.open({ threads: 1, memoryLimit: '256MB' });
});
afterAll(() => engine.close());

describe('DataEngine', () => {
  it('applies the thread and memory limits', async () => {
    const [row] = await engine.rows(`SELECT current_setting('threads') AS t, current_setting('memory_limit') AS m`);
    expect(Number(row?.['t'])).toBe(1);
    expect(String(row?.['m'])).toMatch(/^24\d(\.\d+)? MiB$/);
  });

  it('returns rows, columns and column types', async () => {
    const sql = `SELECT * FROM (VALUES (1, 'x'), (2, NULL)) t(n, s) ORDER BY n`;
    expect(await engine.rows(sql)).toEqual([
      { n: 1, s: 'x' },
      { n: 2, s: null },
    ]);
    expect(await engine.columns(sql)).toEqual({ n: [1, 2], s: ['x', null] });
    expect(await engine.describe(sql)).toEqual([
      { name: 'n', type: 'INTEGER' },
      { name: 's', type: 'VARCHAR' },
    ]);
  });

  it('withEngine opens and closes its own engine when none is given', async () => {
    expect(await withEngine(undefined, async (e) => (await e.rows('SELECT 42 AS x'))[0])).toEqual({ x: 42 });
    expect(await withEngine(engine, async (e) => e)).toBe(engine);
  });
});

describe('quoting', () => {
  it.each(['Body Mass (g)', 'say "hi"', 'naïve ☕ 列', "it's", '"'])('round-trips the identifier %j', async (name) => {
    const [row] = await engine.rows(`SELECT 1 AS ${quoteIdent(name)}`);
    expect(Object.keys(row ?? {})).toEqual([name]);
  });

  it.each(["it's", "'; DROP TABLE x; --", 'back\\slash', 'ünïcode'])('round-trips the literal %j', async (value) => {
    expect(await engine.rows(`SELECT ${quoteLiteral(value)} AS v`)).toEqual([{ v: value }]);
  });
});

describe('duckdbReason', () => {
  it('keeps the first paragraph on one line, without SQL excerpt or advice', async () => {
    // In the data roots (the temp folder), so DuckDB looks for it.
    const err = await engine.run(`SELECT * FROM read_csv(${quoteLiteral(path.join(tmpdir(), 'definitely-not-here.csv'))})`).catch((e: unknown) => e);
    const reason = duckdbReason(err);
    expect(reason).toMatch(/^IO Error: No files found that match the pattern/);
    expect(reason).not.toContain('\n');
    expect(reason).not.toContain('LINE 1');
  });
});
