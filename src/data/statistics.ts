/**
 * Per-column statistics of a dataset, computed in DuckDB in two scans (aggregates, then
 * histograms and value counts): no row enters the JS heap, only a few numbers per column.
 * The result is small JSON, kept as an artifact next to the snapshot (TFDV's StatisticsGen).
 */
import { binIndexSql, niceEdges, sqlNumber } from './bins.js';
import { isFloatType, isNumericType, isTemporalType } from './duckdb-types.js';
import { mapEntries, toNullableNumber, toNumber } from './duckdb-values.js';
import { quoteIdent, quoteLiteral, type DataEngine, type QueryOptions, type Row } from './engine.js';
import type { ColumnInfo } from './types.js';

/** How a column is profiled: numbers, categories (as text), or anything else (dates, lists). */
export type ColumnKind = 'numeric' | 'categorical' | 'other';

/** Counts over bins `[edges[i], edges[i+1])` (the last bin is closed); values outside the edges are counted apart. */
export interface Histogram {
  readonly edges: number[];
  readonly counts: number[];
  /** Values below the first edge (only when the edges came from an expected range). */
  readonly underflow: number;
  /** Values above the last edge. */
  readonly overflow: number;
}

/** A categorical value and how many rows hold it. */
export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

interface ColumnStatisticsBase {
  readonly name: string;
  /** DuckDB's type name. */
  readonly type: string;
  /** Non-null values. */
  readonly count: number;
  /** Null values. */
  readonly missing: number;
  /** Distinct non-null values; approximate (HyperLogLog, ~2%) unless `distinctExact`. */
  readonly distinct: number;
  /** Whether `distinct` is exact: it is whenever the estimate is at most 10,000. */
  readonly distinctExact: boolean;
}

export interface NumericColumnStatistics extends ColumnStatisticsBase {
  readonly kind: 'numeric';
  /** Non-null values that are not numbers (text in a column meant to be numeric). */
  readonly nonNumeric: number;
  /** The smallest such value, to quote in messages. */
  readonly nonNumericExample?: string;
  readonly nan: number;
  /** +Infinity or -Infinity. */
  readonly infinite: number;
  readonly zeros: number;
  /** Over finite values; null when there are none. */
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Sample standard deviation. */
  readonly std: number | null;
  /** Approximate quantiles (t-digest, as DuckDB's SUMMARIZE) of the finite values. */
  readonly quantiles: { readonly q: number; readonly value: number }[];
  readonly histogram: Histogram | null;
  /** Finite values outside the expected range, when one was given. */
  readonly outOfRange?: number;
}

export interface CategoricalColumnStatistics extends ColumnStatisticsBase {
  readonly kind: 'categorical';
  /** The most frequent values first (ties by value), at most {@link maxValues}; values are text. */
  readonly values: ValueCount[];
  /** Non-null values outside the expected domain, when one was given. */
  readonly unseen?: number;
}

export interface OtherColumnStatistics extends ColumnStatisticsBase {
  readonly kind: 'other';
  /** Smallest and largest value as text, for dates and times. */
  readonly min?: string;
  readonly max?: string;
}

export type ColumnStatistics = NumericColumnStatistics | CategoricalColumnStatistics | OtherColumnStatistics;

/** The statistics of one dataset; what `.stats.json` artifacts hold. */
export interface DatasetStatistics {
  readonly version: 1;
  /** Where the data came from (a path, a glob or `data.query`), for people. */
  readonly origin: string;
  readonly rows: number;
  /** Rows identical to an earlier row (by a 64-bit hash of every column). */
  readonly duplicates: number;
  readonly columns: ColumnStatistics[];
}

/** What a schema expects of a column; lets one scan also count out-of-range and unseen values. */
export interface ColumnExpectation {
  readonly range?: { readonly min: number; readonly max: number };
  readonly domain?: readonly string[];
}

/** Options of {@link computeStatistics}. */
export interface StatisticsOptions {
  readonly engine: DataEngine;
  /** A relation expression for `FROM` (see src/data/source.ts). */
  readonly relation: string;
  readonly queryOptions?: QueryOptions;
  /** The columns to profile (a subset of the relation's), with their DuckDB types. */
  readonly columns: readonly ColumnInfo[];
  /** How each column is profiled; by type when left out (numbers numeric, text and booleans categorical). */
  readonly kinds?: ReadonlyMap<string, ColumnKind>;
  /** Expected ranges and domains by column (from a schema). */
  readonly expected?: ReadonlyMap<string, ColumnExpectation>;
  readonly origin: string;
}

/** Quantiles reported for numeric columns. */
export const quantileLevels = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
/** Categorical value counts kept per column; also the largest domain a schema records. */
export const maxValues = 1000;
/**
 * Up to this many distinct values (estimated), distinct counts are exact and categorical value
 * counts come with the second scan; above it, from a separate top-k query.
 */
const exactDistinctLimit = 10_000;

/** The default kind of a column by its DuckDB type. */
export function kindOfType(type: string): ColumnKind {
  if (/^BOOLEAN$/i.test(type.trim())) return 'categorical';
  if (isNumericType(type)) return 'numeric';
  if (isTemporalType(type) || /[[\]()]|^(STRUCT|MAP|LIST|UNION|BLOB|BIT)/i.test(type)) return 'other';
  return 'categorical';
}

/** Computes {@link DatasetStatistics} for `columns` of `relation` in two scans. */
export async function computeStatistics(opts: StatisticsOptions): Promise<DatasetStatistics> {
  const plan = opts.columns.map((c, i) => planColumn(c, i, opts.kinds?.get(c.name) ?? kindOfType(c.type), opts.expected?.get(c.name)));
  const projection = [
    ...plan.flatMap((p) => p.projection),
    opts.columns.length > 0 ? `hash(${opts.columns.map((c) => quoteIdent(c.name)).join(', ')}) AS __h` : 'NULL AS __h',
  ];
  const from = `(SELECT ${projection.join(', ')} FROM ${opts.relation})`;
  const aggregates = new AggregateList();
  const rowsAlias = aggregates.add('count(*)');
  const distinctRowsAlias = aggregates.add('count(DISTINCT __h)');
  for (const p of plan) p.addAggregates(aggregates);
  const [first = {}] = await opts.engine.rows(`SELECT ${aggregates.sql()} FROM ${from}`, opts.queryOptions);
  const rows = toNumber(first[rowsAlias]);

  const second = new AggregateList();
  const finishers = plan.map((p) => p.addSecondPass(first, second));
  const [row2 = {}] = second.length > 0 && rows > 0 ? await opts.engine.rows(`SELECT ${second.sql()} FROM ${from}`, opts.queryOptions) : [];
  const columns: ColumnStatistics[] = [];
  const context: FinishContext = { rows, rowsOf: (sql) => opts.engine.rows(sql, opts.queryOptions), relation: opts.relation };
  for (const finish of finishers) columns.push(await finish(row2, context));
  return { version: 1, origin: opts.origin, rows, duplicates: rows - toNumber(first[distinctRowsAlias]), columns };
}

/** Aggregate expressions with generated aliases, so arbitrary column names never become result keys. */
class AggregateList {
  private readonly exprs: string[] = [];
  add(expr: string): string {
    const alias = `a${this.exprs.length}`;
    this.exprs.push(`${expr} AS ${alias}`);
    return alias;
  }
  get length(): number {
    return this.exprs.length;
  }
  sql(): string {
    return this.exprs.join(', ');
  }
}

type RowsOf = (sql: string) => Promise<Row[]>;
/** What a column's second step needs besides its own results. */
interface FinishContext {
  readonly rows: number;
  readonly rowsOf: RowsOf;
  readonly relation: string;
}

type Finisher = (row: Row, context: FinishContext) => Promise<ColumnStatistics>;

interface ColumnPlan {
  readonly projection: string[];
  addAggregates(list: AggregateList): void;
  /** Adds second-scan aggregates using the first scan's results; returns what assembles the column. */
  addSecondPass(first: Row, list: AggregateList): Finisher;
}

function planColumn(column: ColumnInfo, index: number, kind: ColumnKind, expected: ColumnExpectation | undefined): ColumnPlan {
  if (kind === 'numeric') return planNumeric(column, index, expected);
  if (kind === 'categorical') return planCategorical(column, index, expected);
  return planOther(column, index);
}

function planNumeric(column: ColumnInfo, index: number, expected: ColumnExpectation | undefined): ColumnPlan {
  const raw = quoteIdent(column.name);
  const v = `v${index}`;
  const r = `r${index}`;
  const isNumber = isNumericType(column.type);
  // Text may hold "NaN" or "inf", and floats may hold them natively; integers never do.
  const mayBeNonFinite = !isNumber || isFloatType(column.type);
  const finite = mayBeNonFinite ? ` FILTER (WHERE isfinite(${v}))` : '';
  const projection = [isNumber ? `CAST(${raw} AS DOUBLE) AS ${v}` : `TRY_CAST(${raw} AS DOUBLE) AS ${v}`];
  if (!isNumber) projection.push(`${raw} AS ${r}`);
  const a: Record<string, string> = {};
  return {
    projection,
    addAggregates(list) {
      a.count = list.add(`count(${isNumber ? v : r})`);
      a.numbers = list.add(`count(${v})`);
      if (!isNumber) a.example = list.add(`min(CAST(${r} AS VARCHAR)) FILTER (WHERE ${r} IS NOT NULL AND ${v} IS NULL)`);
      if (mayBeNonFinite) {
        a.nan = list.add(`count_if(isnan(${v}))`);
        a.inf = list.add(`count_if(isinf(${v}))`);
      }
      a.zeros = list.add(`count_if(${v} = 0)`);
      a.min = list.add(`min(${v})${finite}`);
      a.max = list.add(`max(${v})${finite}`);
      a.mean = list.add(`avg(${v})${finite}`);
      a.std = list.add(`stddev_samp(${v})${finite}`);
      a.quantiles = list.add(`approx_quantile(${v}, [${quantileLevels.join(', ')}])${finite}`);
      a.distinct = list.add(`approx_count_distinct(${v})`);
      const range = expected?.range;
      if (range) a.outOfRange = list.add(`count_if(isfinite(${v}) AND (${v} < ${sqlNumber(range.min)} OR ${v} > ${sqlNumber(range.max)}))`);
    },
    addSecondPass(first, list) {
      const min = toNullableNumber(first[a.min as string]);
      const max = toNullableNumber(first[a.max as string]);
      const range = expected?.range;
      const edges = range ? niceEdges(range.min, range.max) : min !== null && max !== null ? niceEdges(min, max) : [];
      const histAlias = edges.length > 1 ? list.add(`histogram(${binIndexSql(v, edges)})${mayBeNonFinite ? ` FILTER (WHERE isfinite(${v}))` : ''}`) : undefined;
      const approxDistinct = toNumber(first[a.distinct as string]);
      const exactAlias = approxDistinct <= exactDistinctLimit ? list.add(`count(DISTINCT ${v})`) : undefined;
      return async (row, { rows }) => {
        const count = toNumber(first[a.count as string]);
        const numbers = toNumber(first[a.numbers as string]);
        const quantiles = toNumberList(first[a.quantiles as string]);
        return {
          name: column.name,
          type: column.type,
          kind: 'numeric',
          count,
          missing: rows - count,
          distinct: exactAlias ? toNumber(row[exactAlias]) : approxDistinct,
          distinctExact: exactAlias !== undefined,
          nonNumeric: count - numbers,
          ...(a.example && first[a.example] != null ? { nonNumericExample: String(first[a.example]) } : {}),
          nan: a.nan ? toNumber(first[a.nan]) : 0,
          infinite: a.inf ? toNumber(first[a.inf]) : 0,
          zeros: toNumber(first[a.zeros as string]),
          min,
          max,
          mean: toNullableNumber(first[a.mean as string]),
          std: toNullableNumber(first[a.std as string]),
          quantiles: quantiles.length === quantileLevels.length ? quantileLevels.map((q, i) => ({ q, value: quantiles[i] as number })) : [],
          histogram: histAlias ? histogramOf(edges, row[histAlias]) : null,
          ...(a.outOfRange ? { outOfRange: toNumber(first[a.outOfRange]) } : {}),
        };
      };
    },
  };
}

function planCategorical(column: ColumnInfo, index: number, expected: ColumnExpectation | undefined): ColumnPlan {
  const raw = quoteIdent(column.name);
  const v = `v${index}`;
  const a: Record<string, string> = {};
  return {
    projection: [/^VARCHAR$/i.test(column.type) ? `${raw} AS ${v}` : `CAST(${raw} AS VARCHAR) AS ${v}`],
    addAggregates(list) {
      a.count = list.add(`count(${v})`);
      a.distinct = list.add(`approx_count_distinct(${v})`);
      const domain = expected?.domain;
      if (domain) a.unseen = list.add(domain.length > 0 ? `count_if(${v} IS NOT NULL AND ${v} NOT IN (${domain.map(quoteLiteral).join(', ')}))` : `count(${v})`);
    },
    addSecondPass(first, list) {
      const count = toNumber(first[a.count as string]);
      const approxDistinct = toNumber(first[a.distinct as string]);
      const inline = count > 0 && approxDistinct <= exactDistinctLimit;
      const histAlias = inline ? list.add(`histogram(${v})`) : undefined;
      return async (row, { rows, rowsOf, relation }) => {
        let values: ValueCount[] = [];
        let distinct = 0;
        if (histAlias) {
          values = mapEntries(row[histAlias]).map(([value, n]) => ({ value: String(value), count: n }));
          distinct = values.length;
        } else if (count > 0) {
          ({ values, distinct } = await topValues(rowsOf, relation, raw));
        }
        values.sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
        return {
          name: column.name,
          type: column.type,
          kind: 'categorical',
          count,
          missing: rows - count,
          distinct,
          distinctExact: true,
          values: values.slice(0, maxValues),
          ...(a.unseen ? { unseen: toNumber(first[a.unseen]) } : {}),
        };
      };
    },
  };
}

/** The most frequent values of a high-cardinality column, and the exact number of distinct values. */
async function topValues(rowsOf: RowsOf, relation: string, raw: string): Promise<{ values: ValueCount[]; distinct: number }> {
  const rows = await rowsOf(
    `SELECT CAST(${raw} AS VARCHAR) AS v, count(*) AS n, count(*) OVER () AS d FROM ${relation} WHERE ${raw} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${maxValues}`,
  );
  return { values: rows.map((r) => ({ value: String(r.v), count: toNumber(r.n) })), distinct: toNumber(rows[0]?.d) };
}

function planOther(column: ColumnInfo, index: number): ColumnPlan {
  const v = `v${index}`;
  const ordered = isTemporalType(column.type);
  const a: Record<string, string> = {};
  return {
    projection: [`${quoteIdent(column.name)} AS ${v}`],
    addAggregates(list) {
      a.count = list.add(`count(${v})`);
      a.distinct = list.add(`approx_count_distinct(${v})`);
      if (ordered) {
        a.min = list.add(`CAST(min(${v}) AS VARCHAR)`);
        a.max = list.add(`CAST(max(${v}) AS VARCHAR)`);
      }
    },
    addSecondPass(first) {
      const count = toNumber(first[a.count as string]);
      return async (_row, { rows }) => ({
        name: column.name,
        type: column.type,
        kind: 'other',
        count,
        missing: rows - count,
        distinct: toNumber(first[a.distinct as string]),
        distinctExact: false,
        ...(a.min && first[a.min] != null ? { min: String(first[a.min]) } : {}),
        ...(a.max && first[a.max] != null ? { max: String(first[a.max]) } : {}),
      });
    },
  };
}

function histogramOf(edges: number[], value: unknown): Histogram {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  let underflow = 0;
  let overflow = 0;
  for (const [key, n] of mapEntries(value)) {
    const bin = Number(key);
    if (bin < 0) underflow += n;
    else if (bin >= bins) overflow += n;
    else counts[bin] = (counts[bin] ?? 0) + n;
  }
  return { edges, counts, underflow, overflow };
}

function toNumberList(x: unknown): number[] {
  return Array.isArray(x) ? x.map((v) => toNumber(v)) : [];
}
