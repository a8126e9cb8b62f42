/**
 * Training off the event loop. The thread is started first, so it loads TensorFlow.js while
 * this one fits preprocessing on the training split, holds out the validation rows and
 * encodes once; the arrays then move to the thread without copying (transfer list). The thread
 * fits epoch by epoch, checkpoints, and reports progress, which the caller forwards (e.g. as
 * Temporal heartbeats). Cancellation stops the thread after the current batch through a
 * shared-memory flag.
 */
import type { DataSplit } from '../data/types.js';
import { MlopsError } from '../errors.js';
import type { PipelineSpecOf } from '../spec/schema.js';
import { startWorkerThread } from '../threads.js';
import type { BackendName } from './backend.js';
import { assembleBundle, type ModelBundle } from './bundle.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { classWeightsFor } from './class-weights.js';
import { headFor } from './head.js';
import { holdoutOf, takeRows } from './holdout.js';
import { effectiveBatchSize } from './model-spec.js';
import { encodeFeatures, encodeTarget, fitPreprocessing } from './preprocess.js';
import { STOP_FLAG, type SerializedError, type ThreadMessage, type TrainJob } from './train-protocol.js';
import type { TrainProgress } from './types.js';

/** How long a stop request may take before the thread is terminated outright. */
const STOP_GRACE_MS = 10_000;

/** What to train. */
export interface TrainRequest {
  /** A validated spec: `task`, `data.target`, `data.features` and `model` are used. */
  readonly spec: PipelineSpecOf<'mlp'>;
  readonly split: DataSplit;
  /** Where per-epoch checkpoints are written (created when missing). */
  readonly checkpointDir: string;
  /** Continue from this checkpoint (e.g. the last heartbeat's) up to `spec.model.epochs` in total. */
  readonly resumeFrom?: { readonly file: string };
}

/** Progress of one finished epoch and the checkpoint it wrote. */
export type EpochProgress = TrainProgress & { readonly checkpointFile: string };

/** Callbacks of a training run. */
export interface TrainHooks {
  /** Called in order after each epoch's checkpoint is on disk; a throw stops training with that error. */
  readonly onEpoch?: (progress: EpochProgress) => void | Promise<void>;
  /** Aborting stops training after the current batch and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The outcome of a training run. */
export interface TrainResult {
  readonly bundle: ModelBundle;
  /** The TensorFlow.js backend the thread trained on. */
  readonly backend: string;
  /** Epochs run by this call (excluding those restored from a checkpoint). */
  readonly epochsRun: number;
  /** Epochs the checkpoint had completed; 0 for a fresh run. */
  readonly resumedFromEpoch: number;
  /** Early stopping ended training before `model.epochs`. */
  readonly stoppedEarly: boolean;
  /** 1-based epoch whose weights the bundle holds: the best one with `earlyStopping.restoreBest`, else the last. */
  readonly weightsEpoch: number;
  /** Rows fitted on and rows held out for validation. */
  readonly rows: { readonly fit: number; readonly validation: number };
  /** Rows per gradient step: `model.batchSize`, or the default adapted to the data. */
  readonly batchSize: number;
}

type Done = Extract<ThreadMessage, { kind: 'done' }>;

/**
 * Trains the spec's MLP on `split.train` in a worker thread.
 * Rejects with MlopsError (`DataInvalid`, `TrainingFailed`, `TrainingDiverged`), with the
 * abort reason when `signal` aborts, or with the thread's error message.
 */
export async function trainInThread(req: TrainRequest, hooks: TrainHooks = {}): Promise<TrainResult> {
  if (hooks.signal?.aborted) throw abortReason(hooks.signal);
  // Checked first: a job that cannot run should not cost a thread.
  const { fit, validation } = holdoutOf(req.spec, req.split.train.rows);
  checkBatchSize(req.spec.model.batchSize, req.split.train.rows, validation.length);
  const batchSize = effectiveBatchSize(req.spec.model, fit.length);
  // The thread loads TensorFlow.js while this one prepares the data.
  const thread = startThread(hooks);
  let job: PreparedJob;
  let resume: Checkpoint | undefined;
  try {
    resume = req.resumeFrom ? await readCheckpoint(req.resumeFrom.file) : undefined;
    if (resume) checkResumable(req.spec, resume, req.resumeFrom?.file ?? '');
    job = prepareJob(req, resume, fit, validation, batchSize);
  } catch (err) {
    thread.discard();
    throw err;
  }
  thread.start(job);
  const done = await thread.result;
  return {
    bundle: assembleBundle(req.spec, job.preprocessing, done),
    backend: done.backend,
    epochsRun: done.epochsRun,
    resumedFromEpoch: resume?.epoch ?? 0,
    stoppedEarly: done.stoppedEarly,
    weightsEpoch: done.weightsEpoch,
    rows: { fit: fit.length, validation: validation.length },
    batchSize,
  };
}

/** A job without its stop flag (the thread's, made when it starts). */
type PreparedJob = Omit<TrainJob, 'control'>;

/** Fits preprocessing (unless resuming) and encodes the rows: fitted ones first, validation ones last. */
function prepareJob(req: TrainRequest, resume: Checkpoint | undefined, fit: readonly number[], validation: readonly number[], batchSize: number): PreparedJob {
  const preprocessing = resume?.preprocessing ?? fitPreprocessing(req.spec, req.split.train);
  const rows = takeRows(req.split.train, [...fit, ...validation]);
  const labels = req.split.train.columns[req.spec.data.target] ?? [];
  return {
    model: { ...req.spec.model, batchSize },
    head: headFor(preprocessing),
    backend: backendPreference(req.spec),
    classWeight: classWeightsFor(req.spec.model.classWeights, preprocessing.target, labels, fit),
    preprocessing,
    x: encodeFeatures(preprocessing, rows),
    y: encodeTarget(preprocessing, rows),
    rows: rows.rows,
    validationRows: validation.length,
    checkpointDir: req.checkpointDir,
    resume,
  };
}

/** `model.backend`, unless `auto`: then MLOPS_TF_BACKEND or the fastest available decides (in the thread). */
function backendPreference(spec: PipelineSpecOf<'mlp'>): BackendName | undefined {
  return spec.model.backend === 'auto' ? undefined : spec.model.backend;
}

/** Only an explicit `model.batchSize` can be too large; the default adapts (see effectiveBatchSize). */
function checkBatchSize(batchSize: number | undefined, rows: number, validationRows: number): void {
  const fitRows = rows - validationRows;
  if (batchSize === undefined || batchSize <= fitRows) return;
  throw new MlopsError(
    'TrainingFailed',
    `model.batchSize (${batchSize}) is larger than the ${fitRows} rows training fits on (${rows} training rows, ${validationRows} held out for validation); set model.batchSize to ${fitRows} or less, or provide more data`,
    { batchSize, fitRows },
  );
}

function checkResumable(spec: PipelineSpecOf<'mlp'>, checkpoint: Checkpoint, file: string): void {
  const fresh = ` (${file}); train again without resuming`;
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  if (!same(checkpoint.model.hiddenUnits, spec.model.hiddenUnits)) {
    throw new MlopsError('TrainingFailed', `the checkpoint was written for model.hiddenUnits [${checkpoint.model.hiddenUnits.join(', ')}], the spec says [${spec.model.hiddenUnits.join(', ')}]${fresh}`);
  }
  // Checkpoints written before model.optimizer existed are Adam's.
  const optimizer = checkpoint.model.optimizer ?? 'adam';
  if (optimizer !== spec.model.optimizer) {
    throw new MlopsError('TrainingFailed', `the checkpoint holds ${optimizer} optimizer state, the spec says model.optimizer ${spec.model.optimizer}${fresh}`);
  }
  const features = checkpoint.preprocessing.features.map((f) => `${f.name}:${f.type}`).join(',');
  const wanted = spec.data.features.map((f) => `${f.name}:${f.type}`).join(',');
  if (features !== wanted || checkpoint.preprocessing.target.name !== spec.data.target || checkpoint.preprocessing.target.task !== spec.task) {
    throw new MlopsError('TrainingFailed', `the checkpoint was trained on other features, target or task than the spec names${fresh}`);
  }
}

/** A training thread, started before its job is ready so it boots while the data is prepared. */
interface TrainingThread {
  /** Settles once the thread is gone: with its outcome, or with why it failed or was stopped. */
  readonly result: Promise<Done>;
  /** Hands the job over; its encoded arrays move to the thread without a copy. */
  start(job: PreparedJob): void;
  /** Ends a thread whose job could not be prepared. */
  discard(): void;
}

function startThread(hooks: TrainHooks): TrainingThread {
  // TensorFlow.js loads faster before tsx's hooks exist.
  const worker = startWorkerThread(import.meta.url, 'train-thread', { preload: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'] });
  const control = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const result = new Promise<Done>((resolve, reject) => {
    let settled = false;
    let finished = false;
    let stopReason: unknown;
    let killTimer: NodeJS.Timeout | undefined;
    let epochs = Promise.resolve();

    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      hooks.signal?.removeEventListener('abort', onAbort);
      // Resolve only once the thread is gone, so no training outlives the call.
      void worker.terminate().finally(outcome);
    };
    const fail = (err: unknown): void => settle(() => reject(err));
    const stop = (reason: unknown): void => {
      if (stopReason !== undefined) return;
      stopReason = reason;
      Atomics.store(control, STOP_FLAG, 1);
      killTimer = setTimeout(() => fail(reason), STOP_GRACE_MS);
    };
    const onAbort = (): void => stop(abortReason(hooks.signal));

    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: ThreadMessage) => {
      switch (message.kind) {
        case 'epoch': {
          const { epoch, loss, valLoss, checkpointFile } = message;
          const progress: EpochProgress = valLoss === undefined ? { epoch, loss, checkpointFile } : { epoch, loss, valLoss, checkpointFile };
          epochs = epochs.then(async () => {
            if (stopReason === undefined) await hooks.onEpoch?.(progress);
          }).catch(stop);
          return;
        }
        case 'done':
          // The thread exits right after this; wait for the pending onEpoch calls first.
          finished = true;
          void epochs.then(() => (stopReason === undefined ? settle(() => resolve(message)) : fail(stopReason)));
          return;
        case 'stopped':
          return fail(stopReason ?? new MlopsError('TrainingFailed', 'the training thread stopped without being asked to'));
        case 'failed':
          return fail(toError(message.error));
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => finished || fail(new MlopsError('TrainingFailed', `the training thread exited (code ${code}) before it finished`)));
  });
  return {
    result,
    start(job) {
      const message: TrainJob = { ...job, control };
      worker.postMessage(message, [job.x.buffer as ArrayBuffer, job.y.buffer as ArrayBuffer]);
    },
    discard() {
      result.catch(() => undefined);
      void worker.terminate();
    },
  };
}

function abortReason(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('training was aborted', 'AbortError');
}

function toError(e: SerializedError): Error {
  if (e.type) return new MlopsError(e.type, e.message, e.details ?? {});
  const err = new Error(e.message);
  if (typeof e.details?.stack === 'string') err.stack = `${e.details.stack}\n    at (training thread)`;
  return err;
}
