/**
 * The model settings training uses: the spec's, with the ones it left out adapted to the data.
 *
 * A fixed batch size and epoch count cannot suit both 300 rows and 3 million: 256 rows × 20
 * epochs is 20 gradient steps on a few hundred rows (an undertrained network), while more
 * epochs on millions of rows only cost time. So, when left out:
 * - `batchSize` aims at {@link TARGET_STEPS_PER_EPOCH} steps per epoch, between
 *   {@link MIN_DEFAULT_BATCH_SIZE} and {@link MAX_DEFAULT_BATCH_SIZE} rows (never more than
 *   the rows fitted on);
 * - `epochs` is a budget of about {@link STEP_BUDGET} gradient steps, between
 *   {@link MIN_DEFAULT_EPOCHS} (large data trains as many epochs as it always did) and
 *   {@link MAX_DEFAULT_EPOCHS};
 * - early stopping on the validation loss ends training once it stops improving (patience a
 *   tenth of the budget, at least {@link MIN_DEFAULT_PATIENCE}) and keeps the best epoch's
 *   weights — when `epochs` is left out too, `earlyStopping` is, and rows are held out;
 * - `weightDecay` is {@link DECAY_PRIOR_ROWS} ÷ the rows fitted on, and 0 on large data (see {@link defaultWeightDecay}).
 * Settings given in the spec are used exactly as given.
 */
import type { MlpModelSpec } from './model-spec.js';

/** The default batch size never drops below this (the usual minibatch; below it, steps get noisy and slow). */
export const MIN_DEFAULT_BATCH_SIZE = 32;
/** The default batch size never exceeds this (what large data always trained with). */
export const MAX_DEFAULT_BATCH_SIZE = 256;
/** Gradient steps per epoch the default batch size aims for. */
export const TARGET_STEPS_PER_EPOCH = 64;
/** Gradient steps the default epoch budget aims for. */
export const STEP_BUDGET = 2000;
/** The default epoch budget's bounds. */
export const MIN_DEFAULT_EPOCHS = 20;
export const MAX_DEFAULT_EPOCHS = 200;
/** Default early stopping waits at least this many epochs for an improvement. */
export const MIN_DEFAULT_PATIENCE = 5;

/**
 * From this many fitted rows the defaults are the old fixed ones: batch {@link MAX_DEFAULT_BATCH_SIZE},
 * {@link MIN_DEFAULT_EPOCHS} epochs (the step budget is spent) and no weight decay.
 */
export const LARGE_DATA_ROWS = Math.ceil(STEP_BUDGET / MIN_DEFAULT_EPOCHS) * MAX_DEFAULT_BATCH_SIZE;
/** The default weight decay is this many rows' worth of prior on the hidden weights (see {@link defaultWeightDecay}). */
export const DECAY_PRIOR_ROWS = 16;

/** A model spec with every setting training needs decided. */
export type EffectiveModelSpec = MlpModelSpec & { readonly batchSize: number; readonly epochs: number; readonly weightDecay: number };

/** The settings to train `model` with on `fitRows` rows (those not held out for validation). */
export function effectiveModel(model: MlpModelSpec, fitRows: number): EffectiveModelSpec {
  const batchSize = model.batchSize ?? defaultBatchSize(fitRows);
  const epochs = model.epochs ?? defaultEpochs(fitRows, batchSize);
  const earlyStopping = model.earlyStopping ?? (model.epochs === undefined && model.validationSplit > 0 ? defaultEarlyStopping(epochs) : undefined);
  const weightDecay = model.weightDecay ?? defaultWeightDecay(fitRows);
  return { ...model, batchSize, epochs, weightDecay, ...(earlyStopping ? { earlyStopping } : {}) };
}

/** Rows per step when `model.batchSize` is left out: about {@link TARGET_STEPS_PER_EPOCH} steps per epoch, within bounds. */
export function defaultBatchSize(fitRows: number): number {
  const aimed = Math.floor(fitRows / TARGET_STEPS_PER_EPOCH);
  const bounded = Math.min(MAX_DEFAULT_BATCH_SIZE, Math.max(MIN_DEFAULT_BATCH_SIZE, aimed));
  return Math.max(1, Math.min(bounded, fitRows));
}

/** Epochs when `model.epochs` is left out: about {@link STEP_BUDGET} steps, within bounds. */
export function defaultEpochs(fitRows: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.ceil(fitRows / batchSize));
  return Math.min(MAX_DEFAULT_EPOCHS, Math.max(MIN_DEFAULT_EPOCHS, Math.ceil(STEP_BUDGET / stepsPerEpoch)));
}

/** Early stopping for an epoch budget the spec left to us: patient enough not to stop on a noisy epoch. */
export function defaultEarlyStopping(epochs: number): NonNullable<MlpModelSpec['earlyStopping']> {
  return { patience: Math.max(MIN_DEFAULT_PATIENCE, Math.ceil(epochs / 10)), minDelta: 0, restoreBest: true };
}

/**
 * L2 weight decay when `model.weightDecay` is left out: a Gaussian prior on the hidden weights
 * worth {@link DECAY_PRIOR_ROWS} rows (the penalty is added to the mean loss, so λ = rows ÷ n).
 * On a few hundred noisy rows a [64, 64] network fits the noise within a few epochs, sooner
 * than a small validation holdout can tell (diabetes, ten splits: 1.02× Ridge's rmse on average
 * and up to 1.08× without it, 0.99× and at most 1.02× with it); it shrinks as rows grow. 16 is the middle of what measured well on scikit-learn's iris, wine,
 * breast_cancer and diabetes over six splits each (16–32; 8 is too weak for diabetes, 64 costs
 * iris accuracy). From {@link LARGE_DATA_ROWS} on it is 0, so large data trains exactly as it
 * always did (no regularizer in the graph, no cost per step).
 */
export function defaultWeightDecay(fitRows: number): number {
  return fitRows >= LARGE_DATA_ROWS ? 0 : DECAY_PRIOR_ROWS / Math.max(1, fitRows);
}
