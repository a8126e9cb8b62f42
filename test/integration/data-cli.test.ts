/** `mlops validate` and `mlops drift` as a user runs them: no Temporal server needed. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataEngine, quoteLiteral } from '../../src/data/engine.js';
import { runMlops, type Outcome } from './run-mlops.js';


describe('mlops validate and mlops drift', () => {
  let dir: string;
  const mlops = (...args: string[]): Promise<Outcome> =>
    runMlops(args, { cwd: dir, env: { ...process.env, MLOPS_HOME: path.join(dir, '.mlops'), MLOPS_LOG_LEVEL: 'warn' } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-data-cli-'));
    const engine = await DataEngine.open({ threads: 1 });
    const write = (file: string, select: string) => engine.run(`COPY (${select}) TO ${quoteLiteral(path.join(dir, file))} (FORMAT parquet)`);
    await write('train.parquet', `SELECT (i % 50)::DOUBLE AS "trip distance", 'z' || (i % 4) AS zone, i * 1.5 AS y FROM range(400) t(i)`);
    await write('later.parquet', `SELECT (i % 50)::DOUBLE + 30 AS "trip distance", 'z' || (i % 6) AS zone, i * 1.5 AS y FROM range(400) t(i)`);
    await write('broken.parquet', `SELECT 'n/a' AS "trip distance", 'z1' AS zone, NULL::DOUBLE AS y FROM range(20)`);
    engine.close();
    const spec = {
      name: 'cli-data',
      task: 'regression',
      data: { source: 'train.parquet', target: 'y', features: [{ name: 'trip distance', type: 'numeric' }, { name: 'zone', type: 'categorical' }] },
    };
    await writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('validate: tables for people, JSON for machines, a pinned schema, non-zero with the anomalies on errors', async () => {
    const human = await mlops('validate', 'spec.json', '--report', 'v.html', '--write-schema', 'schema.json');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`${path.join(dir, 'train.parquet')}: 400 rows, 3 columns: 0 errors, 0 warnings (schema: inferred from this dataset)`);
    expect(human.stdout).toMatch(/^trip distance +numeric +DOUBLE +400 +0 +50 +min 0, mean 24\.5, max 49$/m);
    expect(await readFile(path.join(dir, 'v.html'), 'utf8')).toContain('<h2>Distributions</h2>');

    const [json, broken] = await Promise.all([
      mlops('validate', 'spec.json', '--data', 'later.parquet', '--schema', 'schema.json', '--json'),
      mlops('validate', 'spec.json', '--data', 'broken.parquet'),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { valid: boolean; rowCount: number; schemaSource: string; anomalies: { kind: string; column: string }[] };
    expect(parsed).toMatchObject({ valid: true, rowCount: 400, schemaSource: 'pinned' });
    expect(parsed.anomalies.map((a) => [a.kind, a.column])).toEqual([['outOfRange', 'trip distance'], ['unseenCategories', 'zone']]);

    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^error +typeMismatch +trip distance +feature "trip distance" must be numeric but holds "n\/a"/m);
    const reason = broken.stderr.trim().split('\n');
    expect(reason).toHaveLength(1);
    expect(reason[0]).toBe(
      `mlops: ${path.join(dir, 'broken.parquet')}: 2 data errors (and 1 warning): feature "trip distance" must be numeric but holds "n/a" (type VARCHAR, 20 such rows); clean the column or declare it categorical; target "y" is null in every row; check the column or the source`,
    );
  });

  it('drift: scores per feature, a report, and --fail-on-drift', async () => {
    const [json, human] = await Promise.all([
      mlops('drift', '--reference', 'train.parquet', '--current', 'later.parquet', '--spec', 'spec.json', '--json'),
      mlops('drift', '--reference', 'train.parquet', '--current', 'later.parquet', '--report', 'd.html', '--fail-on-drift'),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { datasetDrift: boolean; features: { feature: string; test: string; score: number; drifted: boolean }[] };
    expect(result.datasetDrift).toBe(true);
    expect(result.features.map((f) => [f.feature, f.test, f.drifted])).toEqual([['trip distance', 'ks', true], ['zone', 'chisquare', true]]);
    expect(result.features.every((f) => typeof f.score === 'number')).toBe(true);

    // Without a spec: every shared column, the unchanged target included.
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^DATASET DRIFT: 2 of 3 features drifted/);
    expect(human.stdout).toMatch(/^zone +categorical +chisquare +\S+ +< 0\.05 +DRIFTED$/m);
    expect(human.stdout).toMatch(/^y +numeric +ks +1 +< 0\.05 +ok$/m);
    expect(human.stderr.trim()).toBe('mlops: dataset drift: 2 of 3 features drifted (threshold 0.2)');
    expect(await readFile(path.join(dir, 'd.html'), 'utf8')).toContain('Dataset drift: 2 of 3 features drifted');
  });
});
