/**
 * What the `train` activity takes and returns, whichever trainer `model.type` names. Small:
 * artifact references and numbers, never weights (it is a Temporal payload).
 */
import type { DatasetRef } from '../data/types.js';
import type { ArtifactRef } from '../registry/artifact-store.js';
import type { PipelineSpec } from '../spec/schema.js';
import type { TrainingLineage } from './lineage.js';
import type { ModelType } from './model-spec.js';

export interface TrainInput {
  readonly spec: PipelineSpec;
  readonly dataset: DatasetRef;
}

export interface TrainResult {
  /** The model bundle: a `.model.json` manifest naming its `model.onnx` (older MLP results: the mlp@1 bundle). */
  readonly bundle: ArtifactRef;
  /** The trainer that made it; absent in results recorded before `model.type` existed (the MLP). */
  readonly kind?: ModelType;
  /** The TensorFlow.js backend (the built-in MLP only). */
  readonly backend?: string;
  /** Epochs in the model's history, all attempts together (trainers that report epochs). */
  readonly epochs?: number;
  /** Losses of the epoch whose weights the bundle holds (the best one with `earlyStopping.restoreBest`). */
  readonly loss?: number;
  readonly valLoss?: number;
  /** 0 for a fresh run; the epoch a retried attempt picked up from otherwise. */
  readonly resumedFromEpoch?: number;
  /** Early stopping ended training before `model.epochs`. */
  readonly stoppedEarly?: boolean;
  /** Everything deploy records about this training run; copy it into the version's lineage as it is. */
  readonly lineage: TrainingLineage;
}
