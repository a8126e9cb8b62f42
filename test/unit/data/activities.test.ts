/** The validate and monitorDrift activities with real dependencies in a temp MLOPS_HOME. */
import { ApplicationFailure } from '@temporalio/common';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../../activities/deps.js';
import { monitorDriftActivity } from '../../../activities/monitor-drift.js';
import { validateActivity } from '../../../activities/validate.js';
import { loadConfig } from '../../../src/config.js';
import { ingestDataset } from '../../../src/data/ingest.js';
import { createLogger } from '../../../src/logger.js';
import { activityDepsFor } from '../../../src/temporal/plugin.js';
import { makeSpec, useTempDirs, writeParquet } from './helpers.js';

const tempDir = useTempDirs();

async function setup(): Promise<{ home: string; deps: ActivityDeps }> {
  const home = await tempDir();
  return { home, deps: activityDepsFor({ config: loadConfig({ MLOPS_HOME: home }), baseDir: home, logger: createLogger('test', 'warn') }) };
}

const goodRows = `SELECT (i % 10)::DOUBLE AS a, CASE WHEN i % 2 = 0 THEN 'p' ELSE 'q' END AS b, i AS y FROM range(200) t(i)`;

/** A fresh home with `goodRows` in `file`, a spec reading it, and its ingested snapshot. */
async function setupIngested(file: string) {
  const { home, deps } = await setup();
  await writeParquet(path.join(home, file), goodRows);
  const spec = makeSpec({ source: path.join(home, file) });
  const dataset = await ingestDataset({ spec, baseDir: home, store: deps.store });
  return { home, deps, spec, dataset };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('validate activity', () => {
  it('stores statistics, schema and report, and returns a summary; the schema is inferred the first time', async () => {
    const { deps, spec, dataset } = await setupIngested('d.parquet');
    const result = await validateActivity(deps)({ spec, dataset });
    expect(result).toMatchObject({ rowCount: 200, warnings: [], anomalies: [], schemaSource: 'inferred', summary: '200 rows, 3 columns: 0 errors, 0 warnings (schema: inferred)' });
    expect(result.statistics.uri).toMatch(/\.stats\.json$/);
    expect(result.schema.uri).toMatch(/\.schema\.json$/);
    expect(result.report.uri).toMatch(/\.validation\.html$/);
    expect(JSON.parse(await readFile(fileURLToPath(result.statistics.uri), 'utf8'))).toMatchObject({ rows: 200, columns: [{ name: 'y' }, { name: 'a' }, { name: 'b' }] });
    expect(await readFile(fileURLToPath(result.report.uri), 'utf8')).toContain('<h2>Anomalies</h2>');
  });

  it("checks against the production version's schema, and fails non-retryably on errors, listing them", async () => {
    const { home, deps, spec, dataset } = await setupIngested('train.parquet');
    const first = await validateActivity(deps)({ spec, dataset });
    const v = await deps.registry.registerVersion(spec.name, {
      bundle: first.schema,
      metrics: {},
      lineage: { dataset: first.statistics, specHash: 'h' },
      schema: first.schema,
      statistics: first.statistics,
      idempotencyKey: 'k1',
    });
    await deps.registry.setAlias(spec.name, 'production', v.version, 'test');

    await writeParquet(path.join(home, 'next.parquet'), `SELECT (i % 20)::DOUBLE AS a, 'z' AS b, NULL::DOUBLE AS y FROM range(200) t(i)`);
    const next = { ...spec, data: { ...spec.data, source: path.join(home, 'next.parquet') } };
    const failure = await failureOf(validateActivity(deps)({ spec: next, dataset: await ingestDataset({ spec: next, baseDir: home, store: deps.store }) }));
    expect(failure.type).toBe('DataInvalid');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`${path.join(home, 'next.parquet')}: 1 data error (and 3 warnings): target "y" is null in every row; check the column or the source`);
    const details = failure.details?.[0] as { report: string };
    expect(await readFile(fileURLToPath(details.report), 'utf8')).toContain('schema: model test-model v1');
  });

  it('uses a pinned schema (data.schema, relative to the base dir)', async () => {
    const { home, deps } = await setup();
    await writeParquet(path.join(home, 'd.parquet'), goodRows);
    await writeFile(path.join(home, 'schema.yaml'), 'columns:\n  - { name: a, kind: numeric, range: { min: 0, max: 5 } }\n  - { name: b, kind: categorical }\n  - { name: y, kind: numeric }\n');
    const spec = makeSpec({ source: path.join(home, 'd.parquet'), schema: 'schema.yaml' });
    const result = await validateActivity(deps)({ spec, dataset: await ingestDataset({ spec, baseDir: home, store: deps.store }) });
    expect(result.schemaSource).toBe('pinned');
    expect(result.anomalies.map((a) => a.kind)).toEqual(['outOfRange']);
    expect(result.warnings).toEqual(["column \"a\" has 80 values (40%) outside the schema's range [0, 5] (seen: [0, 9])"]);
  });
});

describe('monitorDrift activity', () => {
  it('compares a current source with the reference snapshot and stores a report', async () => {
    const { home, deps, spec, dataset: reference } = await setupIngested('train.parquet');
    await writeParquet(path.join(home, 'now.parquet'), `SELECT (i % 10)::DOUBLE + 5 AS a, 'p' AS b FROM range(300) t(i)`);
    const summary = await monitorDriftActivity(deps)({ spec, reference, current: { source: 'now.parquet' } });
    expect(summary.features.map((f) => [f.feature, f.test, f.drifted])).toEqual([['a', 'ks', true], ['b', 'chisquare', true]]);
    expect(summary).toMatchObject({ shareDrifted: 1, datasetDrift: true, currentRows: 300, referenceRows: 200, summary: '2 of 2 features drifted (100%): a, b; dataset drift' });
    expect(summary.report?.uri).toMatch(/\.drift\.html$/);
  });

  it('a vanished source is a warning with currentRows 0, not a failure', async () => {
    const { deps, spec, dataset: reference } = await setupIngested('train.parquet');
    const summary = await monitorDriftActivity(deps)({ spec, reference, current: { source: 'incoming/*.parquet' } });
    expect(summary).toMatchObject({ currentRows: 0, datasetDrift: false, features: [], summary: 'no current rows; nothing compared' });
    expect(summary.warnings[0]).toMatch(/^no files match "incoming\/\*\.parquet"/);
  });
});
