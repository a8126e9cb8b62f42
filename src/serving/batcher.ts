/**
 * Dynamic batching, as TensorFlow Serving and Triton do it: small concurrent requests for the
 * same model version are coalesced into one forward pass, up to `maxBatchSize` instances,
 * waiting at most `maxWaitMs` for company.
 *
 * With the default `maxWaitMs: 0` a batch closes at the end of the current event-loop turn
 * (`setImmediate`): every request whose body was parsed in the same turn joins, and none waits
 * on a timer, so a lone request pays nothing. A positive wait trades that latency for bigger
 * batches, which pays off when a forward pass has a large fixed cost (e.g. a GPU call).
 *
 * One request's bad input never fails its neighbours: if a batched pass throws, each request
 * of the batch is run on its own and gets its own answer or error.
 *
 * `predict` answers with a promise; `submit` is the same with a callback.
 */
import type { Prediction, Predictor } from '../model/types.js';
import type { Instance } from './instances.js';

export interface BatchingOptions {
  /** Most instances in one forward pass; larger requests run alone. Default 64; 1 disables batching. */
  readonly maxBatchSize?: number;
  /** Longest a request waits for others to join its batch, in ms. Default 0: until the end of the event-loop turn. */
  readonly maxWaitMs?: number;
}

/** Called after each forward pass with the number of instances and of requests in it. */
export type BatchObserver = (instances: number, requests: number) => void;

/** Receives a request's predictions, or the error that stopped them. */
export type PredictionCallback = (err: unknown, predictions?: Prediction[]) => void;

interface Waiting {
  readonly instances: readonly Instance[];
  readonly done: PredictionCallback;
}

/** The requests waiting for one predictor's next forward pass, and the timer that runs it. */
interface Queue {
  readonly items: Waiting[];
  size: number;
  timer?: NodeJS.Immediate | NodeJS.Timeout;
}

export class DynamicBatcher {
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  /** Per predictor (one per loaded model version, so versions never share a batch), held only while requests wait. */
  private readonly waiting = new Map<Predictor, Queue>();

  constructor(
    options: BatchingOptions = {},
    private readonly observe: BatchObserver = () => {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 64;
    this.maxWaitMs = options.maxWaitMs ?? 0;
    if (!Number.isSafeInteger(this.maxBatchSize) || this.maxBatchSize < 1) throw new RangeError(`maxBatchSize must be a positive integer, got ${this.maxBatchSize}`);
    if (!Number.isFinite(this.maxWaitMs) || this.maxWaitMs < 0 || this.maxWaitMs > 1000) throw new RangeError(`maxWaitMs must be between 0 and 1000, got ${this.maxWaitMs}`);
  }

  /** Predictions for `instances`, computed alone or in a batch with other requests. */
  predict(predictor: Predictor, instances: readonly Instance[]): Promise<Prediction[]> {
    return new Promise((resolve, reject) => this.submit(predictor, instances, (err, predictions) => (err === undefined ? resolve(predictions!) : reject(err))));
  }

  /** Like {@link predict}; `done` is called exactly once, never before `submit` returns. */
  submit(predictor: Predictor, instances: readonly Instance[], done: PredictionCallback): void {
    if (instances.length >= this.maxBatchSize) {
      // Large requests run alone, but still answer on a later turn like every other one.
      setImmediate(() => this.runAlone(predictor, instances, done));
      return;
    }
    let queue = this.waiting.get(predictor);
    if (queue && queue.size + instances.length > this.maxBatchSize) {
      this.flush(predictor, queue);
      queue = undefined;
    }
    if (!queue) {
      const opened: Queue = { items: [], size: 0 };
      opened.timer = this.maxWaitMs === 0 ? setImmediate(() => this.flush(predictor, opened)) : setTimeout(() => this.flush(predictor, opened), this.maxWaitMs);
      this.waiting.set(predictor, (queue = opened));
    }
    queue.items.push({ instances, done });
    queue.size += instances.length;
  }

  private runAlone(predictor: Predictor, instances: readonly Instance[], done: PredictionCallback): void {
    predictOnce(predictor, instances).then(
      (predictions) => {
        this.observe(instances.length, 1);
        done(undefined, predictions);
      },
      (err: unknown) => done(err),
    );
  }

  private flush(predictor: Predictor, queue: Queue): void {
    const { items, size, timer } = queue;
    if (this.maxWaitMs === 0) clearImmediate(timer as NodeJS.Immediate);
    else clearTimeout(timer as NodeJS.Timeout);
    this.waiting.delete(predictor);
    if (items.length === 1) {
      const [only] = items as [Waiting];
      this.runAlone(predictor, only.instances, only.done);
      return;
    }
    predictOnce(predictor, items.flatMap((item) => item.instances)).then(
      (predictions) => {
        this.observe(size, items.length);
        let offset = 0;
        for (const item of items) {
          item.done(undefined, predictions.slice(offset, offset + item.instances.length));
          offset += item.instances.length;
        }
      },
      // Someone's input is bad: give every request its own answer (or its own error).
      () => {
        for (const item of items) this.runAlone(predictor, item.instances, item.done);
      },
    );
  }
}

/** One predict call as a promise, whether the predictor answers at once (plain JS) or later (ONNX). */
async function predictOnce(predictor: Predictor, instances: readonly Instance[]): Promise<Prediction[]> {
  return predictor.predict(instances);
}
