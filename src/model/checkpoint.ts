/**
 * Training checkpoints: the network's weights AND the optimizer's state (iteration count and,
 * for Adam, moment estimates), so a resumed run continues exactly where the interrupted one
 * stopped instead of restarting the optimizer cold. Tensors are stored as base64 of their
 * little-endian bytes: exact, and about a third the size of decimal JSON.
 *
 * Files are written atomically, one per epoch; the last {@link KEEP_CHECKPOINTS} are kept
 * because the checkpoint a retry resumes from (the last heartbeat the server recorded) may
 * lag the newest one by an epoch or two.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { EpochLoss } from './bundle.js';
import type { MlpModelSpec } from './model-spec.js';
import type { PreprocessingState } from './preprocess.js';

/** The `format` of checkpoint files. */
export const CHECKPOINT_FORMAT = 'temporal-mlops/checkpoint@1';

/** How many of the newest checkpoints stay on disk. */
export const KEEP_CHECKPOINTS = 3;

/** A tensor's values in memory (what the training thread reads and writes). */
export interface TensorValues {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array;
}

/** A tensor as stored in a checkpoint file. */
export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  /** Base64 of the little-endian element bytes. */
  readonly data: string;
}

/** The contents of one checkpoint file. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochLoss[];
  /** The encoding the weights were trained on; a resumed run must encode the same way. */
  readonly preprocessing: PreprocessingState;
  /** The hyperparameters of the run that wrote it. */
  readonly model: MlpModelSpec;
  readonly weights: readonly StoredTensor[];
  /** `optimizer.getWeights()`: the iteration count first, then the optimizer's accumulators. */
  readonly optimizer: readonly StoredTensor[];
  /**
   * The weights of the best epoch so far, kept for `earlyStopping.restoreBest` when they differ
   * from `weights` (the best epoch is not the last one).
   */
  readonly best?: { readonly epoch: number; readonly weights: readonly StoredTensor[] };
}

/** The file of the checkpoint after `epoch` epochs. */
export function checkpointPath(dir: string, epoch: number): string {
  return path.join(dir, `epoch-${String(epoch).padStart(5, '0')}.ckpt.json`);
}

/** Writes a checkpoint atomically and drops the one that fell out of the kept window. */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<string> {
  const file = checkpointPath(dir, checkpoint.epoch);
  await writeFileAtomic(file, JSON.stringify(checkpoint));
  if (checkpoint.epoch > KEEP_CHECKPOINTS) await rm(checkpointPath(dir, checkpoint.epoch - KEEP_CHECKPOINTS), { force: true });
  return file;
}

/** Reads and checks a checkpoint file. Throws MlopsError('TrainingFailed') saying what to do. */
export async function readCheckpoint(file: string): Promise<Checkpoint> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new MlopsError('TrainingFailed', `cannot read checkpoint ${file} (${err.code ?? err.message}); train again without resuming`);
  });
  let value: Partial<Checkpoint>;
  try {
    value = JSON.parse(text) as Partial<Checkpoint>;
  } catch {
    throw new MlopsError('TrainingFailed', `checkpoint ${file} is not JSON; delete it and train again without resuming`);
  }
  if (value.format !== CHECKPOINT_FORMAT || !Array.isArray(value.weights) || !Array.isArray(value.optimizer) || typeof value.epoch !== 'number') {
    throw new MlopsError('TrainingFailed', `${file} is not a ${CHECKPOINT_FORMAT} checkpoint; train again without resuming`);
  }
  return value as Checkpoint;
}

/** Packs in-memory tensor values for a checkpoint file. */
export function storeTensor(t: TensorValues): StoredTensor {
  const bytes = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  return { name: t.name, shape: [...t.shape], dtype: t.values instanceof Int32Array ? 'int32' : 'float32', data: bytes.toString('base64') };
}

/** Unpacks a stored tensor. */
export function loadTensor(t: StoredTensor): TensorValues {
  const bytes = Buffer.from(t.data, 'base64');
  // Copy into a fresh buffer: Buffer's pool offset is not necessarily 4-byte aligned.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { name: t.name, shape: t.shape, values: t.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer) };
}
