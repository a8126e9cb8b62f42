/**
 * Early stopping on the validation loss, as a pure function of the loss history: a resumed
 * run recomputes exactly the state the interrupted one had, with nothing extra to checkpoint
 * but the best weights.
 */
import type { EpochLoss } from './bundle.js';

/** The `model.earlyStopping` settings the decision needs. */
export interface EarlyStoppingConfig {
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** An epoch improves only when `valLoss < best − minDelta`. */
  readonly minDelta: number;
}

export interface EarlyStoppingState {
  /** 1-based epoch of the lowest validation loss so far; 0 before the first epoch with one. */
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  /** Epochs since the best one. */
  readonly wait: number;
  /** True once `wait` reached `patience`. */
  readonly stop: boolean;
}

/** Replays the history (Keras semantics: `wait` resets on improvement; stop at `wait ≥ patience`). */
export function earlyStoppingState(history: readonly EpochLoss[], config: EarlyStoppingConfig): EarlyStoppingState {
  let bestEpoch = 0;
  let bestValLoss = Number.POSITIVE_INFINITY;
  let wait = 0;
  history.forEach((h, i) => {
    if (h.valLoss !== undefined && h.valLoss < bestValLoss - config.minDelta) {
      bestEpoch = i + 1;
      bestValLoss = h.valLoss;
      wait = 0;
    } else {
      wait++;
    }
  });
  return { bestEpoch, bestValLoss, wait, stop: bestEpoch > 0 && wait >= config.patience };
}
