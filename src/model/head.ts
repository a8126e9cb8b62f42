/**
 * The network's output layer and loss for a target. Kept free of TensorFlow.js so the main
 * thread (trainer.ts) and serving can use it without loading tfjs.
 */
import { targetWidth, type PreprocessingState } from './preprocess.js';

/** Activation of a dense layer, as stored in the model bundle. */
export type DenseActivation = 'relu' | 'linear' | 'sigmoid' | 'softmax';

/** The output layer and loss that fit a target. */
export interface MlpHead {
  readonly units: number;
  readonly activation: DenseActivation;
  readonly loss: 'meanSquaredError' | 'binaryCrossentropy' | 'categoricalCrossentropy';
}

/** Regression → 1 linear unit + MSE; two classes → 1 sigmoid unit; more → softmax. */
export function headFor(state: PreprocessingState): MlpHead {
  if (state.target.task === 'regression') return { units: 1, activation: 'linear', loss: 'meanSquaredError' };
  const units = targetWidth(state);
  return units === 1
    ? { units, activation: 'sigmoid', loss: 'binaryCrossentropy' }
    : { units, activation: 'softmax', loss: 'categoricalCrossentropy' };
}
