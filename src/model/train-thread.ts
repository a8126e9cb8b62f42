/**
 * The training thread (a worker_threads entry, started by trainer.ts through
 * train-thread-boot.mjs). Fitting is CPU-bound and synchronous for long stretches; running it
 * here keeps the activity's event loop free for heartbeats and cancellation.
 *
 * Per epoch: shuffle (seeded) → fit one epoch → check for divergence → write a checkpoint with
 * weights and optimizer state → post progress. The main thread can ask it to stop through a
 * shared flag that is checked after every batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { MlopsError } from '../errors.js';
import { selectBackend } from './backend.js';
import { extractDenseLayers, type EpochLoss } from './bundle.js';
import { loadTensor, storeTensor, writeCheckpoint, type Checkpoint, type TensorValues } from './checkpoint.js';
import { buildMlp } from './mlp.js';
import { STOP_FLAG, type SerializedError, type ThreadMessage, type TrainJob, type TrainWorkerData } from './train-protocol.js';

interface Data {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly validation?: [tf.Tensor2D, tf.Tensor2D];
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

try {
  post(await train((workerData as TrainWorkerData).job));
} catch (err) {
  post({ kind: 'failed', error: serializeError(err) });
}

async function train(job: TrainJob): Promise<ThreadMessage> {
  const backend = await selectBackend();
  const model = buildMlp(job.model, job.preprocessing.width, job.head);
  if (job.resume) await restore(model, job.resume);
  const data = toTensors(job);
  const history: EpochLoss[] = [...(job.resume?.history ?? [])];
  let epoch = job.resume?.epoch ?? 0;
  let epochsRun = 0;
  try {
    while (epoch < job.model.epochs) {
      if (stopRequested(job)) return { kind: 'stopped' };
      const outcome = await fitEpoch(model, data, job, epoch);
      if (outcome.aborted) return { kind: 'stopped' };
      epoch++;
      epochsRun++;
      checkFinite(epoch, outcome, job.model.learningRate);
      const losses: EpochLoss = outcome.valLoss === undefined ? { loss: outcome.loss } : { loss: outcome.loss, valLoss: outcome.valLoss };
      history.push(losses);
      const checkpointFile = await writeCheckpoint(job.checkpointDir, await snapshot(model, job, epoch, history));
      post({ kind: 'epoch', epoch, ...losses, checkpointFile });
    }
    return { kind: 'done', backend, layers: extractDenseLayers(model), history, epochsRun };
  } finally {
    tf.dispose([data.x, data.y, ...(data.validation ?? [])]);
  }
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
  const order = tf.tensor1d(permutation(data.x.shape[0], job.model.seed, epoch), 'int32');
  const xs = tf.gather(data.x, order);
  const ys = tf.gather(data.y, order);
  let aborted = false;
  try {
    const result = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: job.model.batchSize,
      shuffle: false,
      verbose: 0,
      validationData: data.validation,
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

/** A permutation of 0..n-1 that depends only on (seed, epoch): resumed runs see the same order. */
function permutation(n: number, seed: number, epoch: number): Int32Array {
  const random = mulberry32((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function snapshot(model: tf.Sequential, job: TrainJob, epoch: number, history: readonly EpochLoss[]): Promise<Checkpoint> {
  // getWeights() returns the variables themselves: read them, do not dispose them.
  const values = model.getWeights();
  const weights = model.weights.map((w, i) => {
    const t = values[i] as tf.Tensor;
    return storeTensor({ name: w.originalName, shape: t.shape, values: t.dataSync() as Float32Array });
  });
  const named = await model.optimizer.getWeights();
  const optimizer: TensorValues[] = [];
  for (const { name, tensor } of named) optimizer.push({ name, shape: tensor.shape, values: (await tensor.data()) as Float32Array | Int32Array });
  // The first entry (the iteration count) is a fresh scalar; the rest are live optimizer variables.
  named[0]?.tensor.dispose();
  return {
    format: 'temporal-mlops/checkpoint@1',
    epoch,
    history: [...history],
    preprocessing: job.preprocessing,
    model: job.model,
    weights,
    optimizer: optimizer.map(storeTensor),
  };
}

async function restore(model: tf.Sequential, checkpoint: Checkpoint): Promise<void> {
  const current = model.getWeights();
  const stored = checkpoint.weights.map(loadTensor);
  const fits = stored.length === current.length && stored.every((t, i) => sameShape(t.shape, current[i]?.shape ?? []));
  if (!fits) {
    throw new MlopsError('TrainingFailed', 'the checkpoint holds weights of a different network shape; train again without resuming');
  }
  // Variables share the data of the tensors they are set from, so disposing these is safe.
  const tensors = stored.map((t) => tf.tensor(t.values, [...t.shape]));
  model.setWeights(tensors);
  tf.dispose(tensors);
  const moments = checkpoint.optimizer.map(loadTensor).map((t) => ({
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
