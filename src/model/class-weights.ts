/**
 * Class weights for imbalanced classification: each training row's loss is multiplied by its
 * class's weight, so rare classes are not drowned out. Computed on the rows the network is
 * fitted on (not the validation holdout), keyed by the class's output index as tfjs expects.
 */
import type { CellValue } from '../data/types.js';
import { MlopsError } from '../errors.js';
import type { MlpModelSpec } from './model-spec.js';
import type { TargetState } from './preprocess.js';

/**
 * `balanced` gives class c the weight `n / (classes × count_c)` (scikit-learn's formula); a
 * record gives the listed classes their weight and the others 1. Undefined when unset.
 * Throws MlopsError('SpecInvalid') for a regression target or a class the data lacks.
 */
export function classWeightsFor(
  setting: MlpModelSpec['classWeights'],
  target: TargetState,
  labels: readonly CellValue[],
  rows: readonly number[],
): Record<number, number> | undefined {
  if (setting === undefined) return undefined;
  if (target.task !== 'classification') {
    throw new MlopsError('SpecInvalid', 'model.classWeights applies to task: classification; remove it for regression');
  }
  const index = new Map(target.classes.map((c, i) => [c, i]));
  if (setting === 'balanced') {
    const counts = new Array<number>(target.classes.length).fill(0);
    for (const r of rows) {
      const k = index.get(String(labels[r]));
      if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
    }
    return Object.fromEntries(counts.map((n, k) => [k, n > 0 ? rows.length / (target.classes.length * n) : 1]));
  }
  const unknown = Object.keys(setting).filter((label) => !index.has(label));
  if (unknown.length > 0) {
    throw new MlopsError(
      'SpecInvalid',
      `model.classWeights names ${unknown.map((u) => `"${u}"`).join(', ')}, which the training data does not have; its classes are ${target.classes.join(', ')}`,
    );
  }
  return Object.fromEntries(target.classes.map((c, k) => [k, setting[c] ?? 1]));
}
