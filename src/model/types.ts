/** Shapes shared by training, evaluation, the registry and serving. */
import type { FeatureSpec, Task } from '../spec/schema.js';

export type Metrics = Record<string, number>;

/** A regression prediction is a number; a classification prediction names the label. */
export type Prediction = number | { label: string; probabilities: Record<string, number> };

/** Something that turns raw instances (feature name → value) into predictions. */
export interface Predictor {
  readonly task: Task;
  readonly features: readonly FeatureSpec[];
  /** Class labels in output order (classification only). */
  readonly classes?: readonly string[];
  /**
   * One batch, one call (an ONNX session run answers asynchronously). Throws or rejects with
   * MlopsError('BadRequest') naming the instance and field when an input is wrong.
   */
  predict(instances: readonly Record<string, unknown>[]): Prediction[] | Promise<Prediction[]>;
  /** Frees what the predictor holds (an onnxruntime session); a cache calls it on eviction. */
  dispose?(): void | Promise<void>;
}

/** Heartbeat details of the training activity, one per finished epoch. */
export interface TrainProgress {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss?: number;
}
