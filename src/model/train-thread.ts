/**
 * The training thread (a worker_threads entry, started by trainer.ts through
 * src/thread-boot.mjs). Fitting is CPU-bound and synchronous for long stretches; running it
 * here keeps the activity's event loop free for heartbeats and cancellation.
 *
 * Per epoch: shuffle (seeded) → fit one epoch → check for divergence → write a checkpoint with
 * weights and optimizer state → post progress → stop early when the validation loss stopped
 * improving. The main thread can ask it to stop through a shared flag that is checked after
 * every batch.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { MlopsError } from '../errors.js';
import { selectBackend } from './backend.js';
import { extractDenseLayers, type EpochLoss } from './bundle.js';
import { CHECKPOINT_FORMAT, loadTensor, storeTensor, writeCheckpoint, type Checkpoint, type StoredTensor, type TensorValues } from './checkpoint.js';
import { earlyStoppingState } from './early-stopping.js';
import { buildMlp } from './mlp.js';
import { epochPermutation } from './random.js';
import { STOP_FLAG, type SerializedError, type ThreadMessage, type TrainJob } from './train-protocol.js';

interface Data {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly validation?: [tf.Tensor2D, tf.Tensor2D];
}

/** Weights of one epoch, as checkpoints store them. */
interface EpochWeights {
  readonly epoch: number;
  readonly weights: readonly StoredTensor[];
}

interface EpochOutcome {
  readonly loss: number;
  readonly valLoss?: number;
  /** The main thread asked to stop; the epoch is incomplete. */
  readonly aborted: boolean;
}

const port = parentPort;
if (!port) throw new Error('train-thread.ts is a worker_threads entry; start training with trainInThread()');
const post = (message: ThreadMessage): void => port.postMessage(message);

// The job arrives once the main thread has prepared it; this thread has booted meanwhile.
port.once('message', (job: TrainJob) => {
  train(job).then(post, (err: unknown) => post({ kind: 'failed', error: serializeError(err) }));
});

async function train(job: TrainJob): Promise<ThreadMessage> {
  const backend = await selectBackend(job.backend);
  const model = buildMlp(job.model, job.preprocessing.width, job.head);
  if (job.resume) await restore(model, job.resume.weights, job.resume.optimizer);
  const data = toTensors(job);
  const history: EpochLoss[] = [...(job.resume?.history ?? [])];
  const stopping = job.model.earlyStopping;
  let epoch = job.resume?.epoch ?? 0;
  let epochsRun = 0;
  let stoppedEarly = false;
  let best = resumedBest(job);
  try {
    while (epoch < job.model.epochs) {
      if (stopping && earlyStoppingState(history, stopping).stop) {
        stoppedEarly = true;
        break;
      }
      if (stopRequested(job)) return { kind: 'stopped' };
      const outcome = await fitEpoch(model, data, job, epoch);
      if (outcome.aborted) return { kind: 'stopped' };
      epoch++;
      epochsRun++;
      checkFinite(epoch, outcome, job.model.learningRate);
      const losses: EpochLoss = outcome.valLoss === undefined ? { loss: outcome.loss } : { loss: outcome.loss, valLoss: outcome.valLoss };
      history.push(losses);
      const weights = storedWeights(model);
      if (stopping?.restoreBest && earlyStoppingState(history, stopping).bestEpoch === epoch) best = { epoch, weights };
      const kept = best && best.epoch !== epoch ? best : undefined;
      const checkpointFile = await writeCheckpoint(job.checkpointDir, await snapshot(model, job, epoch, history, weights, kept));
      post({ kind: 'epoch', epoch, ...losses, checkpointFile });
    }
    let weightsEpoch = epoch;
    if (best && best.epoch !== epoch) {
      await restore(model, best.weights);
      weightsEpoch = best.epoch;
    }
    return { kind: 'done', backend, layers: extractDenseLayers(model), history, epochsRun, stoppedEarly, weightsEpoch };
  } finally {
    tf.dispose([data.x, data.y, ...(data.validation ?? [])]);
  }
}

/** The best epoch's weights a resumed run starts with: kept in the checkpoint, or the checkpoint's own. */
function resumedBest(job: TrainJob): EpochWeights | undefined {
  const checkpoint = job.resume;
  const stopping = job.model.earlyStopping;
  if (!checkpoint || !stopping?.restoreBest) return undefined;
  if (checkpoint.best) return checkpoint.best;
  const { bestEpoch } = earlyStoppingState(checkpoint.history, stopping);
  return bestEpoch === checkpoint.epoch ? { epoch: bestEpoch, weights: checkpoint.weights } : undefined;
}

function toTensors(job: TrainJob): Data {
  const width = job.preprocessing.width;
  const out = job.head.units;
  const fitRows = job.rows - job.validationRows;
  const x = tf.tensor2d(job.x.subarray(0, fitRows * width), [fitRows, width]);
  const y = tf.tensor2d(job.y.subarray(0, fitRows * out), [fitRows, out]);
  if (job.validationRows === 0) return { x, y };
  const xVal = tf.tensor2d(job.x.subarray(fitRows * width), [job.validationRows, width]);
  const yVal = tf.tensor2d(job.y.subarray(fitRows * out), [job.validationRows, out]);
  return { x, y, validation: [xVal, yVal] };
}

/** One epoch over a seeded permutation (tfjs's own shuffle uses Math.random, which is not seedable). */
async function fitEpoch(model: tf.Sequential, data: Data, job: TrainJob, epoch: number): Promise<EpochOutcome> {
  const order = tf.tensor1d(epochPermutation(data.x.shape[0], job.model.seed, epoch), 'int32');
  const xs = tf.gather(data.x, order);
  const ys = tf.gather(data.y, order);
  let aborted = false;
  try {
    const result = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: job.model.batchSize,
      shuffle: false,
      verbose: 0,
      // A dedicated thread has no UI to yield to; yielding every 125 ms only adds latency.
      yieldEvery: 'never',
      validationData: data.validation,
      classWeight: job.classWeight,
      callbacks: {
        onBatchEnd: (_batch, logs) => {
          // A NaN batch loss never recovers: stop now rather than finish a wasted epoch.
          const diverged = !Number.isFinite(logs?.loss ?? 0);
          aborted = !diverged && stopRequested(job);
          if (diverged || aborted) model.stopTraining = true;
        },
      },
    });
    const loss = Number(result.history.loss?.[0] ?? NaN);
    const val = result.history.val_loss?.[0];
    return { loss, valLoss: val === undefined ? undefined : Number(val), aborted };
  } finally {
    tf.dispose([order, xs, ys]);
  }
}

function checkFinite(epoch: number, outcome: EpochOutcome, learningRate: number): void {
  const bad = [outcome.loss, outcome.valLoss].find((v) => v !== undefined && !Number.isFinite(v));
  if (bad === undefined) return;
  throw new MlopsError(
    'TrainingDiverged',
    `training diverged at epoch ${epoch} (loss ${bad}); lower model.learningRate (now ${learningRate}) or check the data for extreme values`,
    { epoch, learningRate },
  );
}

function stopRequested(job: TrainJob): boolean {
  return Atomics.load(job.control, STOP_FLAG) !== 0;
}

/** The network's weights as a checkpoint stores them. */
function storedWeights(model: tf.Sequential): StoredTensor[] {
  // getWeights() returns the variables themselves: read them, do not dispose them.
  const values = model.getWeights();
  return model.weights.map((w, i) => {
    const t = values[i] as tf.Tensor;
    return storeTensor({ name: w.originalName, shape: t.shape, values: t.dataSync() as Float32Array });
  });
}

async function snapshot(
  model: tf.Sequential,
  job: TrainJob,
  epoch: number,
  history: readonly EpochLoss[],
  weights: readonly StoredTensor[],
  best: EpochWeights | undefined,
): Promise<Checkpoint> {
  const named = await model.optimizer.getWeights();
  const optimizer: TensorValues[] = [];
  for (const { name, tensor } of named) optimizer.push({ name, shape: tensor.shape, values: (await tensor.data()) as Float32Array | Int32Array });
  // The first entry (the iteration count) is a fresh scalar; the rest are live optimizer variables.
  named[0]?.tensor.dispose();
  return {
    format: CHECKPOINT_FORMAT,
    epoch,
    history: [...history],
    preprocessing: job.preprocessing,
    model: job.model,
    weights,
    optimizer: optimizer.map(storeTensor),
    ...(best ? { best } : {}),
  };
}

/** Sets the network's weights, and the optimizer's state when given (a resumed run). */
async function restore(model: tf.Sequential, weights: readonly StoredTensor[], optimizerState?: readonly StoredTensor[]): Promise<void> {
  const current = model.getWeights();
  const stored = weights.map(loadTensor);
  const fits = stored.length === current.length && stored.every((t, i) => sameShape(t.shape, current[i]?.shape ?? []));
  if (!fits) {
    throw new MlopsError('TrainingFailed', 'the checkpoint holds weights of a different network shape; train again without resuming');
  }
  // Variables share the data of the tensors they are set from, so disposing these is safe.
  const tensors = stored.map((t) => tf.tensor(t.values, [...t.shape]));
  model.setWeights(tensors);
  tf.dispose(tensors);
  if (!optimizerState) return;
  const moments = optimizerState.map(loadTensor).map((t) => ({
    name: t.name,
    tensor: tf.tensor(t.values, [...t.shape], t.values instanceof Int32Array ? 'int32' : 'float32'),
  }));
  await model.optimizer.setWeights(moments);
  tf.dispose(moments.map((m) => m.tensor));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function serializeError(err: unknown): SerializedError {
  if (err instanceof MlopsError) return { message: err.message, type: err.type, details: { ...err.details } };
  return { message: err instanceof Error ? err.message : String(err), details: err instanceof Error && err.stack ? { stack: err.stack } : {} };
}
