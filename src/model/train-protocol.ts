/**
 * The messages between {@link trainInThread} (main thread) and the training thread.
 * Types only: both sides import them, neither pulls in the other's dependencies.
 */
import type { ErrorType } from '../errors.js';
import type { BackendName } from './backend.js';
import type { DenseLayer, EpochLoss } from './bundle.js';
import type { Checkpoint } from './checkpoint.js';
import type { MlpHead } from './head.js';
import type { MlpModelSpec } from './model-spec.js';
import type { PreprocessingState } from './preprocess.js';

/** Index into {@link TrainJob.control}: set to 1 to ask the thread to stop after the current batch. */
export const STOP_FLAG = 0;

/** Everything the thread needs, sent as its first message; the big arrays are transferred, not copied. */
export interface TrainJob {
  readonly model: MlpModelSpec;
  readonly head: MlpHead;
  /** The backend to prefer; undefined lets MLOPS_TF_BACKEND or the fastest available decide. */
  readonly backend?: BackendName;
  /** Loss weight per class output index (classification with `model.classWeights`). */
  readonly classWeight?: Record<number, number>;
  readonly preprocessing: PreprocessingState;
  /** Row-major encoded features, `rows × preprocessing.width`. */
  readonly x: Float32Array;
  /** Encoded targets, `rows × head.units`. */
  readonly y: Float32Array;
  readonly rows: number;
  /** The last `validationRows` rows are held out to report `valLoss`. */
  readonly validationRows: number;
  readonly checkpointDir: string;
  readonly resume?: Checkpoint;
  /** Shared memory written by the main thread (see {@link STOP_FLAG}). */
  readonly control: Int32Array;
}

/** A thread failure, rebuilt as an MlopsError when `type` is set. */
export interface SerializedError {
  readonly message: string;
  readonly type?: ErrorType;
  readonly details?: Record<string, unknown>;
}

export type ThreadMessage =
  | { readonly kind: 'epoch'; readonly epoch: number; readonly loss: number; readonly valLoss?: number; readonly checkpointFile: string }
  | {
      readonly kind: 'done';
      readonly backend: string;
      readonly layers: DenseLayer[];
      readonly history: EpochLoss[];
      readonly epochsRun: number;
      /** Set when early stopping ended training before `model.epochs`. */
      readonly stoppedEarly: boolean;
      /** 1-based epoch whose weights `layers` hold (the best one with `earlyStopping.restoreBest`, else the last). */
      readonly weightsEpoch: number;
    }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: SerializedError };
