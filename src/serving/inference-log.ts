/**
 * The inference log: every prediction the server makes, and the ground truth clients send
 * back later, as newline-delimited JSON that monitoring reads as a dataset (DuckDB:
 * `SELECT * FROM read_json('<home>/inference/taxi/*.ndjson')`).
 *
 * Layout under `<MLOPS_HOME>/inference/<model>/`:
 * - `<YYYY-MM-DD>.ndjson`, then `<YYYY-MM-DD>.1.ndjson`, `.2`, … once a file passes
 *   `maxFileBytes` (UTC dates): one {@link PredictionRow} per predicted instance;
 * - `feedback/<YYYY-MM-DD>.ndjson` (same rotation): one {@link FeedbackRow} per label.
 * Join them on `(request_id, index)`.
 *
 * Writing never blocks a response, and costs the request thread little: each prediction is
 * encoded in a compact binary form (./inference-log-codec.ts) outside the JavaScript heap, and
 * every `flushIntervalMs` the buffer moves, without a copy, to the log's own thread
 * (./inference-log-thread.ts), which makes the NDJSON rows and appends them to the files. If
 * the disk falls behind by more than `maxBufferedBytes`, rows are dropped and counted rather
 * than letting memory grow. `close()` writes what is buffered.
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Prediction } from '../model/types.js';
import { startWorkerThread } from '../threads.js';
import type { FeatureSpec } from '../spec/schema.js';
import { ByteChunks } from './byte-chunks.js';
import type { FeedbackItem } from './feedback.js';
import { writeFeedback, writePredictions, type RowSchema } from './inference-log-codec.js';
import type { LogBatch, LogBatchDone, LogThreadData } from './inference-log-thread.js';
import type { Instance } from './instances.js';

/** One predicted instance. */
export interface PredictionRow {
  /** ISO-8601 UTC time the prediction was made. */
  readonly time: string;
  /** The request's id (the `x-request-id` header of the reply). */
  readonly request_id: string;
  /** Position of the instance in its request, from 0. */
  readonly index: number;
  readonly model: string;
  readonly version: number;
  /** The alias the request was routed by (`production`, a label), or null for a fixed version. */
  readonly alias: string | null;
  /** The instance as the model saw it: numeric features as numbers, categorical ones as strings, null when missing. */
  readonly features: Record<string, number | string | null>;
  /** Regression: the predicted number (null if not finite). Classification: the predicted label. */
  readonly prediction: number | string | null;
  /** Classification only: class → probability. */
  readonly probabilities?: Record<string, number>;
}

/** One ground-truth label sent to `POST /v1/models/{name}:feedback`. */
export interface FeedbackRow {
  readonly time: string;
  readonly request_id: string;
  readonly index: number;
  readonly model: string;
  /** A number for regression, a class label (string) for classification. */
  readonly label: number | string;
}

export interface InferenceLogOptions {
  /** The log's root, usually `<MLOPS_HOME>/inference` (see {@link inferenceLogDir}). */
  readonly dir: string;
  /** Size past which the next file is started. Default 64 MiB. */
  readonly maxFileBytes?: number;
  /** How often buffered rows are appended to disk, in ms. Default 200. */
  readonly flushIntervalMs?: number;
  /** Bytes buffered or on their way to disk past which new rows are dropped (and counted). Default 32 MiB. */
  readonly maxBufferedBytes?: number;
  /** Rows written, per kind, after each append. */
  readonly onWritten?: (kind: 'predictions' | 'feedback', rows: number) => void;
  /** Rows dropped because the buffer was full or the disk write failed. */
  readonly onDropped?: (rows: number, err?: unknown) => void;
}

/** `<home>/inference`: where `mlops serve` keeps the inference log. */
export function inferenceLogDir(home: string): string {
  return path.join(home, 'inference');
}

/** A batch handed to the log's thread and not yet reported back. */
interface InFlight {
  readonly rows: number;
  readonly bytes: number;
  readonly done: () => void;
}

/** A schema's id (its position in the log's list, from 1) and what it is looked up by. */
interface SchemaEntry {
  readonly id: number;
  readonly version: number;
  readonly alias: string | null;
  readonly features: readonly FeatureSpec[];
}

export class InferenceLog {
  readonly dir: string;
  private readonly maxFileBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly options: InferenceLogOptions;
  private readonly timer: NodeJS.Timeout;
  private bytes = new ByteChunks();
  private rows = 0;
  private inFlightBytes = 0;
  private readonly inFlight = new Map<number, InFlight>();
  private batches = 0;
  /** Every schema seen, in order: schema id n is rowSchemas[n - 1]. */
  private readonly rowSchemas: RowSchema[] = [];
  /** model → its schemas (usually one or two: the versions being served). */
  private readonly schemasByModel = new Map<string, SchemaEntry[]>();
  /** The log's thread, and how many schemas it has been sent (always the first ones). */
  private thread?: { readonly worker: Worker; sentSchemas: number };
  /** Settles when the newest batch handed over is reported back (the thread keeps their order). */
  private lastBatch: Promise<void> = Promise.resolve();

  constructor(options: InferenceLogOptions) {
    this.options = options;
    this.dir = options.dir;
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 32 * 1024 * 1024;
    const every = options.flushIntervalMs ?? 200;
    if (!(this.maxFileBytes > 0) || !(this.maxBufferedBytes > 0) || !(every > 0)) {
      throw new RangeError('maxFileBytes, maxBufferedBytes and flushIntervalMs must be positive');
    }
    this.timer = setInterval(() => void this.flush(), every);
    this.timer.unref();
  }

  /** Buffers one row per instance of a request. */
  logPredictions(entry: {
    model: string;
    version: number;
    alias: string | null;
    requestId: string;
    features: readonly FeatureSpec[];
    instances: readonly Instance[];
    predictions: readonly Prediction[];
  }): void {
    if (this.full(entry.instances.length)) return;
    const schema = this.schemaOf(entry.model, entry.version, entry.alias, entry.features);
    writePredictions(this.bytes, schema, entry.features, Date.now(), entry.requestId, entry.instances, entry.predictions);
    this.rows += entry.instances.length;
  }

  /** Buffers ground-truth labels. */
  logFeedback(model: string, items: readonly FeedbackItem[]): void {
    if (this.full(items.length)) return;
    const now = Date.now();
    const time = new Date(now).toISOString();
    const text = items.map((item) => `${JSON.stringify({ time, request_id: item.requestId, index: item.index, model, label: item.label } satisfies FeedbackRow)}\n`).join('');
    writeFeedback(this.bytes, model, now, text);
    this.rows += items.length;
  }

  /** Appends everything buffered so far; resolves once it is on disk (with everything before it). */
  flush(): Promise<void> {
    const bytes = this.bytes;
    const rows = this.rows;
    this.bytes = new ByteChunks();
    this.rows = 0;
    if (bytes.length === 0) return this.lastBatch;
    const thread = this.startThread();
    const id = ++this.batches;
    const schemas = this.rowSchemas.slice(thread.sentSchemas).map((schema, i): [number, RowSchema] => [thread.sentSchemas + i + 1, schema]);
    thread.sentSchemas = this.rowSchemas.length;
    const buffers = bytes.buffers();
    this.inFlightBytes += bytes.length;
    // While rows are on their way, the thread keeps the process alive (so a closing server
    // waits for them); idle, it does not.
    thread.worker.ref();
    this.lastBatch = new Promise<void>((resolve) => {
      this.inFlight.set(id, { rows, bytes: bytes.length, done: resolve });
      thread.worker.postMessage({ id, schemas, bytes: buffers } satisfies LogBatch, buffers.map((b) => b.buffer as ArrayBuffer));
    });
    return this.lastBatch;
  }

  /** Stops the timer, writes what is buffered and ends the log's thread. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    const thread = this.thread;
    this.thread = undefined;
    await thread?.worker.terminate();
  }

  /** True (and the rows counted as dropped) when the buffer is past its bound. */
  private full(rows: number): boolean {
    if (this.bytes.length + this.inFlightBytes <= this.maxBufferedBytes) return false;
    this.options.onDropped?.(rows);
    return true;
  }

  private schemaOf(model: string, version: number, alias: string | null, features: readonly FeatureSpec[]): number {
    let known = this.schemasByModel.get(model);
    if (!known) this.schemasByModel.set(model, (known = []));
    for (const entry of known) {
      if (entry.version === version && entry.alias === alias && entry.features === features) return entry.id;
    }
    const id = this.rowSchemas.push({ model, version, alias, features: features.map(({ name, type }) => ({ name, type })) });
    known.push({ id, version, alias, features });
    return id;
  }

  private startThread(): { readonly worker: Worker; sentSchemas: number } {
    if (this.thread) return this.thread;
    const data: LogThreadData = { dir: this.dir, maxFileBytes: this.maxFileBytes };
    const worker = startWorkerThread(import.meta.url, 'inference-log-thread', { data });
    const thread = { worker, sentSchemas: 0 };
    worker.on('message', (done: LogBatchDone) => this.reported(done));
    const lost = (err: unknown) => {
      if (this.thread === thread) this.thread = undefined;
      for (const [id] of this.inFlight) this.reported({ id, written: [], errors: [String(err)] });
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the inference log thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }

  private reported(done: LogBatchDone): void {
    const batch = this.inFlight.get(done.id);
    if (!batch) return;
    this.inFlight.delete(done.id);
    this.inFlightBytes -= batch.bytes;
    let written = 0;
    for (const [kind, rows] of done.written) {
      written += rows;
      this.options.onWritten?.(kind, rows);
    }
    if (written < batch.rows) this.options.onDropped?.(batch.rows - written, new Error(done.errors.join('; ') || 'rows were not written'));
    if (this.inFlight.size === 0) this.thread?.worker.unref();
    batch.done();
  }
}
