/**
 * Metrics per slice: the test rows grouped by the values of one categorical feature
 * (`evaluation.sliceBy`), so a model that is good on average but bad for one group shows it.
 */
import type { TabularData } from '../data/types.js';
import { MlopsError } from '../errors.js';
import { scorePredictions, type ScoredRows } from '../model/metrics.js';
import type { Metrics, Prediction } from '../model/types.js';
import type { PipelineSpec } from '../spec/schema.js';

/** The largest slices are reported one by one; the rest are pooled as {@link OTHER}. */
export const MAX_SLICES = 20;
export const MISSING = '(missing)';
export const OTHER = '(other)';

export interface Slice {
  readonly value: string;
  readonly rows: number;
  readonly metrics: Metrics;
}

export interface SliceMetrics {
  readonly feature: string;
  /** Largest first. */
  readonly slices: readonly Slice[];
}

/** Throws MlopsError('SpecInvalid') unless `feature` is one of the spec's categorical features. */
export function checkSliceFeature(spec: Pick<PipelineSpec, 'data'>, feature: string): void {
  const f = spec.data.features.find((x) => x.name === feature);
  if (f?.type === 'categorical') return;
  const categorical = spec.data.features.filter((x) => x.type === 'categorical').map((x) => x.name);
  const hint = categorical.length > 0 ? `use one of ${categorical.join(', ')}` : 'the spec has no categorical feature to slice by';
  throw new MlopsError('SpecInvalid', `evaluation.sliceBy "${feature}" is ${f ? 'numeric' : 'not one of data.features'}; slices need a categorical feature: ${hint}`);
}

/** Metrics of each slice of the scored rows by `feature`'s value in `table`. */
export function sliceMetrics(spec: Pick<PipelineSpec, 'task' | 'data'>, feature: string, table: TabularData, scored: ScoredRows, classes?: readonly string[]): SliceMetrics {
  checkSliceFeature(spec, feature);
  const column = table.columns[feature] ?? [];
  const groups = new Map<string, number[]>();
  scored.rows.forEach((row, k) => {
    const v = column[row];
    const key = v === null || v === undefined ? MISSING : String(v);
    let members = groups.get(key);
    if (!members) groups.set(key, (members = []));
    members.push(k);
  });
  const bySize = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const kept = bySize.slice(0, MAX_SLICES);
  const rest = bySize.slice(MAX_SLICES).flatMap(([, members]) => members);
  if (rest.length > 0) kept.push([OTHER, rest]);
  const slices = kept.map(([value, members]) => ({
    value,
    rows: members.length,
    metrics: scorePredictions(spec.task, members.map((k) => scored.actual[k] as number | string), members.map((k) => scored.predictions[k] as Prediction), classes),
  }));
  return { feature, slices };
}
