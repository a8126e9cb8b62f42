/**
 * Scores a model on a table: its metrics, the confusion matrix (classification) and the
 * metrics per slice, all from one pass of predictions through the serving path. The scored
 * rows stay available for the report (residuals) but are too big for a Temporal payload.
 */
import type { TabularData } from '../data/types.js';
import { confusionMatrix, predictedLabels, predictTable, scorePredictions, type ConfusionMatrix, type ScoredRows } from '../model/metrics.js';
import type { Metrics, Predictor } from '../model/types.js';
import type { PipelineSpec } from '../spec/schema.js';
import { sliceMetrics, type SliceMetrics } from './slices.js';

export interface ModelEvaluation {
  readonly metrics: Metrics;
  /** Rows scored (those with a target). */
  readonly rows: number;
  readonly confusion?: ConfusionMatrix;
  readonly slices?: SliceMetrics;
  /** Every scored row, for residual plots; keep it out of activity results. */
  readonly scored: ScoredRows;
}

/** Scores `predictor` on `table`; slices by `sliceBy` when given (a categorical feature). */
export async function evaluateModel(predictor: Predictor, table: TabularData, spec: Pick<PipelineSpec, 'task' | 'data'>, sliceBy?: string): Promise<ModelEvaluation> {
  const scored = await predictTable(predictor, table, spec);
  const metrics = scorePredictions(spec.task, scored.actual, scored.predictions, predictor.classes);
  const confusion =
    spec.task === 'classification' ? confusionMatrix(scored.actual as string[], predictedLabels(scored.predictions), predictor.classes ?? []) : undefined;
  const slices = sliceBy === undefined ? undefined : sliceMetrics(spec, sliceBy, table, scored, predictor.classes);
  return { metrics, rows: scored.rows.length, scored, ...(confusion ? { confusion } : {}), ...(slices ? { slices } : {}) };
}
