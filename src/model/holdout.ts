/**
 * The validation holdout: the training rows kept out of fitting to measure `valLoss` (early
 * stopping) and to rank sweep trials without touching the test split. Chosen by a seeded
 * permutation, so it is the same on every run and retry, and a fair sample even when the
 * data is sorted (by time, target, or file).
 */
import type { TabularData } from '../data/types.js';
import type { PipelineSpec } from '../spec/schema.js';
import { validationSplitOf } from './model-spec.js';
import { permutation } from './random.js';

/** Rows of a training split: those fitted on and those held out for validation. */
export interface Holdout {
  /** Ascending row indices the network is fitted on. */
  readonly fit: readonly number[];
  /** Ascending row indices held out to measure `valLoss`. */
  readonly validation: readonly number[];
}

/**
 * Holds out `floor(rows × model.validationSplit)` rows. The seed comes from the data split,
 * not the model, so sweeping `model.seed` (or anything else) keeps the holdout fixed and trials
 * comparable.
 */
export function holdoutOf(spec: Pick<PipelineSpec, 'data' | 'model'>, rows: number): Holdout {
  const split = spec.data.split;
  const seed = split.method === 'random' ? split.seed : 0;
  const count = Math.floor(rows * validationSplitOf(spec.model));
  const order = permutation(rows, (seed ^ 0x5eed) >>> 0);
  const validation = Array.from(order.subarray(0, count)).sort((a, b) => a - b);
  const held = new Set(validation);
  const fit: number[] = [];
  for (let i = 0; i < rows; i++) if (!held.has(i)) fit.push(i);
  return { fit, validation };
}

/** The given rows of a column-major table, in the given order. */
export function takeRows(data: TabularData, rows: readonly number[]): TabularData {
  const columns: Record<string, TabularData['columns'][string]> = {};
  for (const [name, column] of Object.entries(data.columns)) columns[name] = rows.map((r) => column[r] ?? null);
  return { rows: rows.length, columns };
}
