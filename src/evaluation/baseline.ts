/**
 * The naive baseline a model must beat to be worth anything: the training mean (regression)
 * or the majority class with the training class frequencies as probabilities (classification).
 * It is a Predictor, so it is scored by exactly the same code as the model.
 */
import type { CellValue, TabularData } from '../data/types.js';
import type { Predictor } from '../model/types.js';
import type { PipelineSpec } from '../spec/schema.js';

export interface NaiveBaseline {
  readonly strategy: 'mean' | 'majority';
  readonly predictor: Predictor;
}

/** Fits the baseline on the training split's target. */
export function naiveBaseline(spec: Pick<PipelineSpec, 'task' | 'data'>, train: TabularData): NaiveBaseline {
  const column: readonly CellValue[] = train.columns[spec.data.target] ?? [];
  const base = { task: spec.task, features: [] };
  if (spec.task === 'regression') {
    const values = column.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const mean = values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : 0;
    return { strategy: 'mean', predictor: { ...base, predict: (instances) => instances.map(() => mean) } };
  }
  const counts = new Map<string, number>();
  for (const v of column) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  const classes = [...counts.keys()].sort();
  const total = column.filter((v) => v !== null).length || 1;
  const probabilities = Object.fromEntries(classes.map((c) => [c, (counts.get(c) ?? 0) / total]));
  const label = classes.reduce((best, c) => ((counts.get(c) ?? 0) > (counts.get(best) ?? 0) ? c : best), classes[0] ?? '');
  return { strategy: 'majority', predictor: { ...base, classes, predict: (instances) => instances.map(() => ({ label, probabilities })) } };
}
