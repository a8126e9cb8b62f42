/** Runs side by side: one row per field, marked where the runs differ. */
import type { RunRecord } from '../registry/run-record.js';

export interface ComparisonRow {
  readonly section: 'run' | 'hyperparameter' | 'metric';
  readonly field: string;
  /** One display value per run, in the runs' order ('' when absent). */
  readonly values: string[];
  readonly differs: boolean;
}

export function compareRunFields(runs: readonly RunRecord[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const add = (section: ComparisonRow['section'], field: string, pick: (r: RunRecord) => unknown) => {
    const values = runs.map((r) => display(pick(r)));
    rows.push({ section, field, values, differs: new Set(values).size > 1 });
  };
  add('run', 'model', (r) => r.model);
  add('run', 'outcome', (r) => r.outcome);
  add('run', 'trainer', (r) => r.trainer);
  add('run', 'started', (r) => r.startedAt);
  add('run', 'dataset', (r) => r.datasetSha256?.slice(0, 12));
  add('run', 'version', (r) => r.version);
  for (const key of keysOf(runs.map((r) => r.hyperparameters ?? {}))) add('hyperparameter', key, (r) => r.hyperparameters?.[key]);
  for (const key of keysOf(runs.map((r) => r.metrics ?? {}))) add('metric', key, (r) => r.metrics?.[key]);
  return rows;
}

function keysOf(objects: readonly Record<string, unknown>[]): string[] {
  return [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
}

/** Numbers with four significant digits, objects as JSON, absent as ''. */
export function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}
