/**
 * Drift (and training/serving skew): per feature, is the current data distributed like the
 * reference? The test is chosen by type and size as Evidently does (src/data/drift-tests.ts);
 * the dataset drifted when at least `monitoring.drift.threshold` of the features did.
 *
 * The exact statistics that need every value (the KS statistic and the Wasserstein distance,
 * both integrals of the difference of the two empirical CDFs) are computed in DuckDB with one
 * window query per feature; only counts and a few numbers come back to JS.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { MlopsError } from '../errors.js';
import type { PipelineSpec } from '../spec/schema.js';
import { binIndexSql, defaultBins, niceEdges, sturgesBins } from './bins.js';
import { ksPValue } from './distributions.js';
import {
  chiSquaredTest,
  defaultTest,
  fewDistinctValues,
  isDrifted,
  isPValueTest,
  jensenShannonDistance,
  normalizedWasserstein,
  populationStabilityIndex,
  type DriftTest,
} from './drift-tests.js';
import { isFloatType, isNumericType } from './duckdb-types.js';
import { mapEntries, toNullableNumber } from './duckdb-values.js';
import { quoteIdent, withEngine, type DataEngine } from './engine.js';
import { describeSource, readingSource } from './read-error.js';
import { resolveFileSource, type DataSource } from './source.js';
import { kindOfType } from './statistics.js';

/** A feature to compare, and how it is read: numbers, or categories compared as text. */
export interface DriftFeature {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
}

/** The distributions behind a feature's result, for reports. */
export type DriftChart =
  | { readonly type: 'histogram'; readonly edges: number[]; readonly reference: number[]; readonly current: number[] }
  | { readonly type: 'bars'; readonly labels: string[]; readonly reference: number[]; readonly current: number[] };

/** One feature's drift result. */
export interface FeatureDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  readonly test: DriftTest;
  /** The p-value (ks, chisquare) or the distance (wasserstein, jensenshannon, psi). */
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** The test statistic behind a p-value: KS's D, or chi-squared. */
  readonly statistic?: number;
  /** Non-null (finite, for numeric features) values compared on each side. */
  readonly referenceCount: number;
  readonly currentCount: number;
  readonly chart: DriftChart;
}

/** A feature that could not be tested; it counts as drifted. */
export interface UntestedFeature {
  readonly feature: string;
  readonly reason: string;
}

/** The result of {@link computeDrift}. */
export interface DriftResult {
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly features: FeatureDrift[];
  readonly untested: UntestedFeature[];
  readonly driftedCount: number;
  /** Drifted (and untested) features over all features. */
  readonly shareDrifted: number;
  /** The dataset-level rule: `shareDrifted ≥ shareThreshold`. */
  readonly datasetDrift: boolean;
  readonly shareThreshold: number;
  readonly warnings: string[];
}

/** Drift options as in the spec's `monitoring.drift`. */
export type DriftSettings = PipelineSpec['monitoring']['drift'];

/** Options of {@link computeDrift}. */
export interface DriftOptions {
  /** Reference data (usually the training snapshot): a file, directory or glob. */
  readonly reference: string;
  /** Current data (a monitoring window, the serving log): a file, directory or glob. */
  readonly current: string;
  /** Folder relative paths are resolved against. */
  readonly baseDir: string;
  /** The features to compare; left out: every column both sides share, numbers as numeric, text and booleans as categorical. */
  readonly features?: readonly DriftFeature[];
  readonly settings: DriftSettings;
  /** A shared engine; when left out, a fresh one is opened and closed. */
  readonly engine?: DataEngine;
}

/** Categories compared per feature; rarer ones are pooled into one "(other)" category. */
const maxCategories = 1000;

/** The spec's features as drift features. */
export function specDriftFeatures(spec: PipelineSpec): DriftFeature[] {
  return spec.data.features.map((f) => ({ name: f.name, kind: f.type }));
}

/** Compares `current` with `reference` feature by feature. Throws DataNotFound / DataUnreadable when a side cannot be read. */
export async function computeDrift(opts: DriftOptions): Promise<DriftResult> {
  if (opts.features) checkMethods(opts.features, opts.settings);
  return withEngine(opts.engine, async (engine) => {
    const reference = await resolveFileSource(engine, opts.reference, opts.baseDir, 'the reference data');
    const current = await resolveFileSource(engine, opts.current, opts.baseDir, 'the current data');
    const refColumns = new Map((await describeSource(engine, reference)).map((c) => [c.name, c.type]));
    const curColumns = new Map((await describeSource(engine, current)).map((c) => [c.name, c.type]));
    const features = opts.features ?? sharedFeatures(refColumns, curColumns);
    if (!opts.features) checkMethods(features, opts.settings);
    const untested: UntestedFeature[] = [];
    const present = features.filter((f) => {
      const missing = !refColumns.has(f.name) ? 'reference' : !curColumns.has(f.name) ? 'current' : undefined;
      if (missing) untested.push({ feature: f.name, reason: `column "${f.name}" is not in the ${missing} data` });
      return missing === undefined;
    });
    return engine.withConnection(async (conn) => {
      await loadSide(conn, '__ref', reference, present, refColumns);
      await loadSide(conn, '__cur', current, present, curColumns);
      const ref = await readingSource(reference, () => sideCounts(conn, '__ref', present));
      const cur = await readingSource(current, () => sideCounts(conn, '__cur', present));
      if (ref.rows === 0 || cur.rows === 0) return emptyDriftResult(ref.rows, cur.rows, `${ref.rows === 0 ? reference.origin : current.origin} has no rows; nothing to compare`, opts.settings);
      const results: FeatureDrift[] = [];
      for (const [i, feature] of present.entries()) {
        const side = { ref: ref.counts[i] as SideCount, cur: cur.counts[i] as SideCount };
        if (side.ref.count === 0 || side.cur.count === 0) {
          const empty = side.ref.count === 0 ? 'reference' : 'current';
          untested.push({ feature: feature.name, reason: `feature "${feature.name}" has no ${feature.kind === 'numeric' ? 'finite ' : ''}values in the ${empty} data` });
          continue;
        }
        results.push(await testFeature(conn, i, feature, side, opts.settings));
      }
      return summarize(results, untested, ref.rows, cur.rows, opts.settings);
    });
  });
}

/** The columns both sides share that can be compared: numbers as numeric, text and booleans as categorical. */
function sharedFeatures(reference: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>): DriftFeature[] {
  const features: DriftFeature[] = [];
  for (const [name, type] of reference) {
    const kind = kindOfType(type);
    if (current.has(name) && kind !== 'other') features.push({ name, kind });
  }
  return features;
}

const numbersOnly = new Set<DriftSettings['method']>(['ks', 'wasserstein']);

/**
 * The method for a feature: its own override, else the spec-wide one where it applies (a
 * spec-wide ks or wasserstein leaves categorical features on auto).
 */
function methodFor(feature: DriftFeature, settings: DriftSettings): DriftSettings['method'] {
  const own = settings.features[feature.name]?.method;
  if (own) return own;
  return feature.kind === 'categorical' && numbersOnly.has(settings.method) ? 'auto' : settings.method;
}

function checkMethods(features: readonly DriftFeature[], settings: DriftSettings): void {
  for (const f of features) {
    const method = methodFor(f, settings);
    if (f.kind === 'categorical' && numbersOnly.has(method)) {
      const field = `monitoring.drift.features["${f.name}"].method`;
      throw new MlopsError('SpecInvalid', `${field}: ${method} compares numbers, but feature "${f.name}" is categorical; use chisquare, jensenshannon, psi or auto`);
    }
  }
}

/**
 * One side's features as `table` with typed columns f0, f1, … (numbers: finite doubles or null).
 * Parquet is columnar and cheap to re-read, so it becomes a view; text formats are parsed once
 * into a temp table.
 */
async function loadSide(conn: DuckDBConnection, table: string, source: DataSource, features: readonly DriftFeature[], types: ReadonlyMap<string, string>): Promise<void> {
  const select = features.map((f, i) => `${typedValue(quoteIdent(f.name), f.kind, types.get(f.name) ?? 'VARCHAR')} AS f${i}`);
  const columns = select.length > 0 ? select.join(', ') : '1 AS __none';
  const kind = source.format === 'parquet' ? 'VIEW' : 'TABLE';
  await readingSource(source, () => conn.run(`CREATE OR REPLACE TEMP ${kind} ${table} AS SELECT ${columns} FROM ${source.relation}`));
}

/** A column as compared: text for categories; a finite DOUBLE or NULL for numbers. */
function typedValue(q: string, kind: DriftFeature['kind'], type: string): string {
  if (kind === 'categorical') return /^VARCHAR$/i.test(type) ? q : `CAST(${q} AS VARCHAR)`;
  if (isNumericType(type) && !isFloatType(type)) return `CAST(${q} AS DOUBLE)`;
  const number = isNumericType(type) ? q : `TRY_CAST(${q} AS DOUBLE)`;
  return `CASE WHEN isfinite(${number}) THEN CAST(${number} AS DOUBLE) END`;
}

interface SideCount {
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  /** Population standard deviation (numeric). */
  readonly std: number | null;
  /** Estimated distinct values (numeric). */
  readonly distinct: number;
}

async function sideCounts(conn: DuckDBConnection, table: string, features: readonly DriftFeature[]): Promise<{ rows: number; counts: SideCount[] }> {
  const per = (f: DriftFeature, i: number) =>
    f.kind === 'numeric' ? [`count(f${i})`, `min(f${i})`, `max(f${i})`, `stddev_pop(f${i})`, `approx_count_distinct(f${i})`] : [`count(f${i})`, 'NULL', 'NULL', 'NULL', 'NULL'];
  const width = 5;
  const row = (await conn.runAndReadAll(`SELECT count(*), ${features.flatMap(per).join(', ') || '0'} FROM ${table}`)).getRows()[0] ?? [];
  const counts = features.map((_, i) => ({
    count: Number(row[1 + width * i] ?? 0),
    min: toNullableNumber(row[2 + width * i]),
    max: toNullableNumber(row[3 + width * i]),
    std: toNullableNumber(row[4 + width * i]),
    distinct: Number(row[5 + width * i] ?? 0),
  }));
  return { rows: Number(row[0] ?? 0), counts };
}

async function testFeature(conn: DuckDBConnection, i: number, feature: DriftFeature, side: { ref: SideCount; cur: SideCount }, settings: DriftSettings): Promise<FeatureDrift> {
  const override = settings.features[feature.name];
  const method = methodFor(feature, settings);
  const base = { feature: feature.name, kind: feature.kind, referenceCount: side.ref.count, currentCount: side.cur.count };
  const finish = (test: DriftTest, { score, statistic }: Score, chart: DriftChart): FeatureDrift => {
    const threshold = override?.threshold ?? (isPValueTest(test) ? settings.pValue : settings.distance);
    return { ...base, test, score, threshold, drifted: isDrifted(test, score, threshold), ...(statistic === undefined ? {} : { statistic }), chart };
  };

  if (feature.kind === 'categorical') {
    const counts = await valueCounts(conn, i, side);
    const test = method === 'auto' ? defaultTest('categorical', side.ref.count, counts.labels.length) : method;
    return finish(test, categoricalScore(test, counts.reference, counts.current), { type: 'bars', ...counts });
  }

  const cdf = await cdfStatistics(conn, i, side);
  const test = method === 'auto' ? defaultTest('numeric', side.ref.count, cdf.distinct) : method;
  const few = cdf.distinct <= fewDistinctValues;
  // Few distinct numbers are compared (and drawn) as categories, as Evidently does.
  const chart: DriftChart = few ? { type: 'bars', ...(await valueCounts(conn, i, side)) } : await histogram(conn, i, side, defaultBins);
  if (test === 'ks') return finish(test, { score: ksPValue(cdf.ks, side.ref.count, side.cur.count), statistic: cdf.ks }, chart);
  if (test === 'wasserstein') return finish(test, { score: normalizedWasserstein(cdf.wasserstein, side.ref.std ?? 0) }, chart);
  const binned = few ? chart : await histogram(conn, i, side, sturgesBins(side.ref.count + side.cur.count));
  return finish(test, categoricalScore(test, binned.reference, binned.current), chart);
}

interface Score {
  readonly score: number;
  readonly statistic?: number;
}

/** Score (and statistic) of a test over counts per category or bin. */
function categoricalScore(test: DriftTest, reference: number[], current: number[]): Score {
  if (test === 'chisquare') {
    const result = chiSquaredTest(reference, current);
    return { score: result.pValue, statistic: result.statistic };
  }
  if (test === 'psi') return { score: populationStabilityIndex(reference, current) };
  return { score: jensenShannonDistance(reference, current) };
}

/** Up to this many distinct values per side (estimated), the CDFs are built from grouped counts. */
const groupedCdfLimit = 10_000;

/**
 * The two-sample KS statistic (largest gap between the empirical CDFs), the Wasserstein-1
 * distance (area between them) and the number of distinct values, exactly, in one query.
 * Few distinct values: group first, then accumulate. Many: accumulate over the sorted values
 * and keep the last row of each run of ties, where both CDFs are complete.
 */
async function cdfStatistics(conn: DuckDBConnection, i: number, side: { ref: SideCount; cur: SideCount }): Promise<{ ks: number; wasserstein: number; distinct: number }> {
  const f = `f${i}`;
  const values = `SELECT ${f} AS x, 1 AS r FROM __ref WHERE ${f} IS NOT NULL UNION ALL SELECT ${f}, 0 FROM __cur WHERE ${f} IS NOT NULL`;
  const grouped = Math.max(side.ref.distinct, side.cur.distinct) <= groupedCdfLimit;
  const points = grouped
    ? `g AS (SELECT x, sum(r) AS r, count(*) AS n FROM v GROUP BY x),
       pts AS (SELECT sum(r) OVER w AS cr, sum(n) OVER w AS cn, lead(x) OVER w - x AS dx FROM g WINDOW w AS (ORDER BY x ROWS UNBOUNDED PRECEDING))`
    : `c AS (SELECT x, sum(r) OVER w AS cr, row_number() OVER w AS cn, lead(x) OVER w AS nx FROM v WINDOW w AS (ORDER BY x ROWS UNBOUNDED PRECEDING)),
       pts AS (SELECT cr, cn, nx - x AS dx FROM c WHERE nx IS DISTINCT FROM x)`;
  const sql = `WITH v AS (${values}), ${points},
    gaps AS (SELECT abs(cr / ${side.ref.count}.0 - (cn - cr) / ${side.cur.count}.0) AS gap, dx FROM pts)
    SELECT max(gap), sum(gap * coalesce(dx, 0)), count(*) FROM gaps`;
  const row = (await conn.runAndReadAll(sql)).getRows()[0] ?? [];
  return { ks: Number(row[0] ?? 0), wasserstein: Number(row[1] ?? 0), distinct: Number(row[2] ?? 0) };
}

/** Counts of both sides over shared nice bins spanning both sides' range. */
async function histogram(conn: DuckDBConnection, i: number, side: { ref: SideCount; cur: SideCount }, bins: number): Promise<DriftChart & { type: 'histogram' }> {
  const min = Math.min(side.ref.min ?? 0, side.cur.min ?? 0);
  const max = Math.max(side.ref.max ?? 0, side.cur.max ?? 0);
  const edges = niceEdges(min, max, bins);
  const bin = binIndexSql(`f${i}`, edges);
  const sql = `SELECT (SELECT histogram(${bin}) FROM __ref WHERE f${i} IS NOT NULL) AS r, (SELECT histogram(${bin}) FROM __cur WHERE f${i} IS NOT NULL) AS c`;
  const row = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {};
  const counts = (map: unknown) => {
    const out = new Array<number>(edges.length - 1).fill(0);
    for (const [key, n] of mapEntries(map)) {
      const k = Math.min(Math.max(Number(key), 0), out.length - 1);
      out[k] = (out[k] ?? 0) + n;
    }
    return out;
  };
  return { type: 'histogram', edges, reference: counts(row.r), current: counts(row.c) };
}

/** Counts per value on both sides, the most frequent first; values beyond {@link maxCategories} pooled as "(other)". */
async function valueCounts(conn: DuckDBConnection, i: number, side: { ref: SideCount; cur: SideCount }): Promise<{ labels: string[]; reference: number[]; current: number[] }> {
  const f = `f${i}`;
  const sql = `SELECT CAST(v AS VARCHAR) AS v, sum(r) AS r, sum(c) AS c FROM (
      SELECT ${f} AS v, 1 AS r, 0 AS c FROM __ref WHERE ${f} IS NOT NULL UNION ALL SELECT ${f}, 0, 1 FROM __cur WHERE ${f} IS NOT NULL)
    GROUP BY 1 ORDER BY sum(r) + sum(c) DESC, 1 LIMIT ${maxCategories}`;
  const rows = (await conn.runAndReadAll(sql)).getRows();
  const labels = rows.map((r) => String(r[0]));
  const reference = rows.map((r) => Number(r[1]));
  const current = rows.map((r) => Number(r[2]));
  const restRef = side.ref.count - reference.reduce((a, b) => a + b, 0);
  const restCur = side.cur.count - current.reduce((a, b) => a + b, 0);
  if (restRef > 0 || restCur > 0) {
    labels.push('(other)');
    reference.push(restRef);
    current.push(restCur);
  }
  return { labels, reference, current };
}

function summarize(features: FeatureDrift[], untested: UntestedFeature[], referenceRows: number, currentRows: number, settings: DriftSettings): DriftResult {
  const total = features.length + untested.length;
  const driftedCount = features.filter((f) => f.drifted).length + untested.length;
  const shareDrifted = total > 0 ? driftedCount / total : 0;
  return {
    referenceRows,
    currentRows,
    features,
    untested,
    driftedCount,
    shareDrifted,
    datasetDrift: total > 0 && shareDrifted >= settings.threshold,
    shareThreshold: settings.threshold,
    warnings: untested.map((u) => `${u.reason}; counted as drifted`),
  };
}

/** Nothing to compare: a side without rows is reported, not tested (no alarm from an empty window). */
export function emptyDriftResult(referenceRows: number, currentRows: number, warning: string, settings: DriftSettings): DriftResult {
  return { ...summarize([], [], referenceRows, currentRows, settings), warnings: [warning] };
}
