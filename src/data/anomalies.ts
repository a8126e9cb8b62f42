/**
 * Validation against a schema (TFDV's ExampleValidator): statistics + schema + spec in, a typed
 * list of anomalies out. Pure: no I/O, so every kind is tested on hand-made statistics.
 *
 * Errors stop the pipeline; warnings are recorded. The defaults below follow what training can
 * absorb: preprocessing turns NaN and unseen categories into missing values and an
 * out-of-vocabulary bucket, so those are warnings for features; the target has no such net.
 * `validation.severity` in the spec overrides any kind (`error`, `warning` or `off`).
 */
import { MlopsError } from '../errors.js';
import type { anomalyKinds, PipelineSpec } from '../spec/schema.js';
import { listNames } from './columns.js';
import { specRoles, type ColumnSchema, type DataSchema } from './data-schema.js';
import { isNumericType } from './duckdb-types.js';
import type { CategoricalColumnStatistics, ColumnStatistics, DatasetStatistics, NumericColumnStatistics } from './statistics.js';

/** A kind of anomaly; stable names, usable in `validation.severity`. */
export type AnomalyKind = (typeof anomalyKinds)[number];
export type Severity = 'error' | 'warning';

/** One finding. */
export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly severity: Severity;
  /** The column concerned; absent for dataset-level anomalies. */
  readonly column?: string;
  /** One sentence naming the column and what to fix. */
  readonly message: string;
  /** The number behind it: a count of rows or values, or a share (0–1) for ratios. */
  readonly value?: number;
}

/** Checks `stats` against `schema` and the spec's columns; returns anomalies, errors first. */
export function detectAnomalies(stats: DatasetStatistics, schema: DataSchema, spec: PipelineSpec): Anomaly[] {
  // Each finding with its default severity; `validation.severity` is applied at the end.
  const found: Finding[] = [];
  const add = (severity: Severity, anomaly: Omit<Anomaly, 'severity'>) => found.push([severity, anomaly]);
  const byName = new Map(stats.columns.map((c) => [c.name, c]));
  const schemaByName = new Map(schema.columns.map((c) => [c.name, c]));
  const roles = specRoles(spec);
  const target = spec.data.target;

  for (const [name, role] of roles) {
    if (byName.has(name)) continue;
    if (name === target) add('error', { kind: 'missingTarget', column: name, message: `target column "${target}" (data.target) is not in the data; columns found: ${listNames(stats.columns)}` });
    else add('error', { kind: 'missingColumn', column: name, message: `${role === 'feature' ? 'feature' : 'column'} "${name}" named in the spec is not in the data; columns found: ${listNames(stats.columns)}` });
  }
  for (const column of schema.columns) {
    // Target and feature columns the spec no longer names are stale: the spec changed since the schema was made.
    if (byName.has(column.name) || roles.has(column.name) || column.role !== 'other') continue;
    add(column.required ? 'error' : 'warning', { kind: 'missingColumn', column: column.name, message: `${describe(column)} (in the schema) is not in the data; columns found: ${listNames(stats.columns)}` });
  }
  for (const c of stats.columns) {
    if (!schemaByName.has(c.name)) add('warning', { kind: 'unexpectedColumn', column: c.name, message: `column "${c.name}" is not in the schema; re-infer the schema or add it to the pinned one` });
  }

  if (stats.rows === 0) {
    add('error', { kind: 'emptyDataset', message: 'the dataset has 0 rows; check the source (data.source or data.query)', value: 0 });
  } else {
    if (stats.rows < spec.validation.minRows) {
      add('error', { kind: 'tooFewRows', message: `the dataset has ${stats.rows} rows, fewer than validation.minRows (${spec.validation.minRows})`, value: stats.rows });
    }
    for (const s of stats.columns) {
      const column = schemaByName.get(s.name) ?? permissiveColumn(s, roles.get(s.name));
      found.push(...columnAnomalies(s, column, stats.rows, spec));
    }
  }

  const overrides = spec.validation.severity;
  const result: Anomaly[] = [];
  for (const [fallback, anomaly] of found) {
    const severity = overrides[anomaly.kind] ?? fallback;
    if (severity !== 'off') result.push({ ...anomaly, severity });
  }
  // Errors first; otherwise in the order found (schema order), which is stable.
  return [...result.filter((a) => a.severity === 'error'), ...result.filter((a) => a.severity === 'warning')];
}

type Finding = [Severity, Omit<Anomaly, 'severity'>];

function columnAnomalies(s: ColumnStatistics, column: ColumnSchema, rows: number, spec: PipelineSpec): Finding[] {
  const findings: Finding[] = [];
  const isTarget = column.name === spec.data.target;
  const label = describe(column);
  if (isTarget && s.count === 0) {
    return [['error', { kind: 'missingTarget', column: column.name, message: `target "${column.name}" is null in every row; check the column or the source`, value: rows }]];
  }
  if (s.kind !== column.kind && column.kind !== 'other') {
    findings.push(['warning', { kind: 'typeMismatch', column: column.name, message: `${label} is ${s.kind} in the spec but ${column.kind} in the schema; re-infer the schema or fix data.features` }]);
  }
  const missingShare = s.missing / rows;
  if (s.count === 0) {
    findings.push(['warning', { kind: 'missingRatio', column: column.name, message: `${label} is null in every row; it carries no signal`, value: 1 }]);
  } else if (missingShare > column.maxMissingRatio) {
    const extra = isTarget ? '; those rows are dropped before training' : '';
    findings.push(['warning', { kind: 'missingRatio', column: column.name, message: `${label} is missing in ${pct(missingShare)} of rows, above the schema's bound of ${pct(column.maxMissingRatio)}${extra}`, value: missingShare }]);
  }
  if (s.kind === 'numeric') findings.push(...numericAnomalies(s, column, label, isTarget, spec));
  if (s.kind === 'categorical') findings.push(...categoricalAnomalies(s, column, label, spec));
  const single = s.kind === 'numeric' ? s.min !== null && s.min === s.max : s.distinct === 1;
  const constant = s.count > 0 && single && (isTarget || column.role === 'feature');
  if (constant) {
    const example = s.kind === 'categorical' ? JSON.stringify(s.values[0]?.value ?? '') : s.kind === 'numeric' ? String(s.min) : '';
    if (isTarget && spec.task === 'classification') {
      findings.push(['error', { kind: 'constantColumn', column: column.name, message: `target "${column.name}" has a single class (${example}); classification needs at least two classes`, value: 1 }]);
    } else {
      findings.push(['warning', { kind: 'constantColumn', column: column.name, message: `${label} has a single value (${example}); it carries no signal`, value: 1 }]);
    }
  }
  return findings;
}

function numericAnomalies(s: NumericColumnStatistics, column: ColumnSchema, label: string, isTarget: boolean, spec: PipelineSpec): Finding[] {
  const findings: Finding[] = [];
  if (s.nonNumeric > 0) {
    const fix = isTarget ? (spec.task === 'regression' ? 'clean the column or use task: classification' : 'clean the column') : 'clean the column or declare it categorical';
    findings.push(['error', { kind: 'typeMismatch', column: column.name, message: `${label} must be numeric but holds ${JSON.stringify(s.nonNumericExample ?? '')} (type ${s.type}, ${s.nonNumeric} such rows); ${fix}`, value: s.nonNumeric }]);
  } else if (!isNumericType(s.type)) {
    findings.push(['warning', { kind: 'typeMismatch', column: column.name, message: `${label} is numeric but stored as ${s.type}; its values are cast to numbers`, value: 0 }]);
  }
  const nonFinite = s.nan + s.infinite;
  if (nonFinite > 0) {
    const parts = [s.nan > 0 ? `${s.nan} NaN` : '', s.infinite > 0 ? `${s.infinite} infinite` : ''].filter(Boolean).join(' and ');
    const effect = isTarget ? 'those rows cannot be trained on; clean the target' : 'they are treated as missing';
    findings.push([isTarget ? 'error' : 'warning', { kind: 'nanInfinity', column: column.name, message: `${label} holds ${parts} values; ${effect}`, value: nonFinite }]);
  }
  const outside = s.outOfRange ?? 0;
  const finite = s.count - s.nonNumeric - nonFinite;
  if (column.range && outside > 0 && finite > 0 && outside / finite > spec.validation.outOfRangeRatio) {
    findings.push(['warning', {
      kind: 'outOfRange',
      column: column.name,
      message: `${label} has ${outside} values (${pct(outside / finite)}) outside the schema's range [${column.range.min}, ${column.range.max}] (seen: [${s.min}, ${s.max}])`,
      value: outside / finite,
    }]);
  }
  return findings;
}

function categoricalAnomalies(s: CategoricalColumnStatistics, column: ColumnSchema, label: string, spec: PipelineSpec): Finding[] {
  const unseen = s.unseen ?? 0;
  if (!column.domain || unseen === 0 || s.count === 0) return [];
  const share = unseen / s.count;
  if (share <= spec.validation.unseenCategoryRatio) return [];
  const known = new Set(column.domain);
  const examples = s.values.filter((v) => !known.has(v.value)).slice(0, 3).map((v) => JSON.stringify(v.value));
  const eg = examples.length > 0 ? ` (e.g. ${examples.join(', ')})` : '';
  return [['warning', {
    kind: 'unseenCategories',
    column: column.name,
    message: `${label} has ${pct(share)} of values outside the schema's domain${eg}, above validation.unseenCategoryRatio (${pct(spec.validation.unseenCategoryRatio)})`,
    value: share,
  }]];
}

/** What a column outside the schema is checked against: its own kind, no bounds. */
function permissiveColumn(s: ColumnStatistics, role: ColumnSchema['role'] | undefined): ColumnSchema {
  return { name: s.name, kind: s.kind, role: role ?? 'other', required: role !== undefined, maxMissingRatio: 1 };
}

function describe(column: ColumnSchema): string {
  if (column.role === 'target') return `target "${column.name}"`;
  if (column.role === 'feature') return `feature "${column.name}"`;
  return `column "${column.name}"`;
}

/** A share as a percentage for messages: 0.1234 → "12.3%", tiny shares keep two significant digits. */
function pct(share: number): string {
  const p = share * 100;
  if (p === 0 || p >= 10) return `${Math.round(p * 10) / 10}%`;
  return `${Number(p.toPrecision(2))}%`;
}

/**
 * The error that stops a pipeline on error anomalies: MlopsError('DataInvalid') whose message
 * lists every error on one line, `;`-separated, after the dataset's origin. Returns undefined
 * when there is no error.
 */
export function anomalyError(anomalies: readonly Anomaly[], origin: string, details: Record<string, unknown> = {}): MlopsError | undefined {
  const errors = anomalies.filter((a) => a.severity === 'error');
  if (errors.length === 0) return undefined;
  const warnings = anomalies.length - errors.length;
  const also = warnings > 0 ? ` (and ${warnings} warning${warnings === 1 ? '' : 's'})` : '';
  const list = errors.map((a) => a.message.replaceAll('\n', ' ')).join('; ');
  return new MlopsError('DataInvalid', `${origin}: ${errors.length} data error${errors.length === 1 ? '' : 's'}${also}: ${list}`, {
    ...details,
    anomalies: errors.map((a) => ({ kind: a.kind, column: a.column })),
  });
}
