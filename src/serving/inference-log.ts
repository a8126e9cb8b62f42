/**
 * The inference log: every prediction the server makes, and the ground truth clients send
 * back later, as NDJSON rows with flat feature columns (./inference-log-columns.ts) that
 * monitoring reads as a table (DuckDB: `read_json_auto('<segment>.ndjson')`).
 *
 * Files: `<dir>/<model>/*.ndjson` (one {@link PredictionRow} per predicted instance) and
 * `<dir>/<model>/feedback/*.ndjson` (one {@link FeedbackRow} per label); join them on
 * `(request_id, index)`. A file is closed once it reaches `maxFileBytes` or is `rotateMs` old,
 * and on `close()`. With a store and a registry, each closed file is then shipped
 * (./inference-log-shipper.ts): uploaded, indexed as an inference segment, removed locally.
 * Without them, files stay where they are.
 *
 * Writing never blocks a response: rows go to a SonicBoom per open file (./inference-log-file.ts).
 * If the disk falls behind by more than `maxBufferedBytes` in a file, rows are dropped and
 * counted rather than letting memory grow.
 */
import path from 'node:path';
import { MlopsError } from '../errors.js';
import type { Prediction } from '../model/types.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { InferenceSegment, ModelRegistry } from '../registry/model-registry.js';
import type { FeatureSpec } from '../spec/schema.js';
import type { FeedbackItem } from './feedback.js';
import { featureColumn } from './inference-log-columns.js';
import { LogFile, newLogFileName } from './inference-log-file.js';
import { SegmentShipper } from './inference-log-shipper.js';
import type { Instance } from './instances.js';

type Kind = InferenceSegment['kind'];

/** One predicted instance: the log's own columns, then one column per feature (see {@link featureColumn}). */
export interface PredictionRow {
  /** ISO-8601 UTC time the prediction was made. */
  readonly time: string;
  /** The request's id (the `x-request-id` header of the reply), issued by the server. */
  readonly request_id: string;
  /** The client's own `x-request-id`, when it sent one: for correlation only. */
  readonly client_request_id?: string;
  /** Position of the instance in its request, from 0. */
  readonly index: number;
  readonly model: string;
  readonly version: number;
  /** The alias the request was routed by (`production`, a label), or null for a fixed version. */
  readonly alias: string | null;
  /** Regression: the predicted number (null if not finite). Classification: the predicted label. */
  readonly prediction: number | string | null;
  /** Classification only: class → probability. */
  readonly probabilities?: Record<string, number>;
  /** The features as the model saw them: numeric ones as numbers, categorical ones as strings, null when missing. */
  readonly [feature: string]: number | string | null | Record<string, number> | undefined;
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
  /** Where closed files are shipped; give it with `registry`, or neither (files then stay in `dir`). */
  readonly store?: ArtifactStore;
  /** Where shipped files are indexed as inference segments; give it with `store`. */
  readonly registry?: ModelRegistry;
  /** Age at which a file is closed (and shipped), in ms. Default 5 minutes. */
  readonly rotateMs?: number;
  /** Size at which a file is closed (and shipped), in bytes. Default 64 MiB. */
  readonly maxFileBytes?: number;
  /** Bytes a file may hold in memory, not yet on disk, before new rows are dropped (and counted). Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /** Rows accepted, per kind. */
  readonly onWritten?: (kind: Kind, rows: number) => void;
  /** Rows dropped because the disk fell behind or a file could not be written. */
  readonly onDropped?: (rows: number, err?: unknown) => void;
  /** A closed file was shipped and indexed. */
  readonly onShipped?: (segment: InferenceSegment) => void;
  /** Shipping a file failed; it is kept and tried again at the next rotation, close or start. */
  readonly onShipFailed?: (file: string, err: unknown) => void;
}

/** `<home>/inference`: where `mlops serve` keeps the inference log. */
export function inferenceLogDir(home: string): string {
  return path.join(home, 'inference');
}

/** A model's features with the columns they are logged under (computed once per signature). */
type Columns = readonly { readonly name: string; readonly numeric: boolean; readonly column: string }[];
const columnsBySignature = new WeakMap<readonly FeatureSpec[], Columns>();

function columnsOf(features: readonly FeatureSpec[]): Columns {
  let columns = columnsBySignature.get(features);
  if (!columns) columnsBySignature.set(features, (columns = features.map((f) => ({ name: f.name, numeric: f.type === 'numeric', column: featureColumn(f.name) }))));
  return columns;
}

/** A value as the model saw it: numbers for numeric features, strings for categorical ones. */
function featureValue(value: unknown, numeric: boolean): number | string | null {
  if (value === null || value === undefined) return null;
  if (!numeric) return String(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export class InferenceLog {
  readonly dir: string;
  private readonly options: InferenceLogOptions;
  private readonly rotateMs: number;
  private readonly maxFileBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly timer: NodeJS.Timeout;
  private readonly shipper?: SegmentShipper;
  /** The open file of each (kind, model). */
  private readonly files = new Map<string, LogFile>();
  /** Files being closed and shipped. */
  private readonly closing = new Set<Promise<void>>();
  private closed = false;

  constructor(options: InferenceLogOptions) {
    this.options = options;
    this.dir = options.dir;
    this.rotateMs = options.rotateMs ?? 5 * 60_000;
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    for (const [name, value] of Object.entries({ rotateMs: this.rotateMs, maxFileBytes: this.maxFileBytes, maxBufferedBytes: this.maxBufferedBytes })) {
      if (!(Number.isFinite(value) && value > 0)) throw new MlopsError('UsageError', `inferenceLog.${name} must be a positive number, got ${value}`);
    }
    if ((options.store === undefined) !== (options.registry === undefined)) {
      throw new MlopsError('UsageError', 'inferenceLog needs both a store and a registry to ship its files (or neither, to keep them in its folder)');
    }
    if (options.store && options.registry) {
      this.shipper = new SegmentShipper({ dir: this.dir, store: options.store, registry: options.registry, onShipped: options.onShipped, onFailed: options.onShipFailed });
      // What a server that died left behind (and what this one could not ship last time).
      void this.shipper.shipLeftovers();
    }
    this.timer = setInterval(() => this.rotateOld(), Math.min(this.rotateMs, 1000));
    this.timer.unref();
  }

  /** Appends one row per instance of a request. */
  logPredictions(entry: {
    model: string;
    version: number;
    alias: string | null;
    requestId: string;
    clientRequestId?: string;
    features: readonly FeatureSpec[];
    instances: readonly Instance[];
    predictions: readonly Prediction[];
  }): void {
    const { model, version, alias, requestId, instances, predictions } = entry;
    const time = new Date().toISOString();
    const columns = columnsOf(entry.features);
    let text = '';
    for (let index = 0; index < instances.length; index++) {
      const row: Record<string, unknown> = { time, request_id: requestId, ...(entry.clientRequestId !== undefined ? { client_request_id: entry.clientRequestId } : {}), index, model, version, alias };
      const instance = instances[index]!;
      for (const { name, numeric, column } of columns) row[column] = featureValue(instance[name], numeric);
      const p = predictions[index];
      if (typeof p === 'object') {
        row.prediction = p.label;
        row.probabilities = p.probabilities;
      } else row.prediction = typeof p === 'number' && Number.isFinite(p) ? p : null;
      text += `${JSON.stringify(row)}\n`;
    }
    this.append('predictions', model, text, instances.length);
  }

  /** Appends ground-truth labels. */
  logFeedback(model: string, items: readonly FeedbackItem[]): void {
    const time = new Date().toISOString();
    const text = items.map((item) => `${JSON.stringify({ time, request_id: item.requestId, index: item.index, model, label: item.label } satisfies FeedbackRow)}\n`).join('');
    this.append('feedback', model, text, items.length);
  }

  /** Closes every open file now (and ships it); resolves once they are closed and shipped or kept. */
  async rotate(): Promise<void> {
    for (const [key, file] of this.files) this.retire(key, file);
    await this.settled();
  }

  /** Settles once every file closed so far is shipped (or kept after a failed ship), and start-up leftovers too. */
  async settled(): Promise<void> {
    while (this.closing.size > 0) await Promise.all(this.closing);
    await this.shipper?.idle();
  }

  /** Stops taking rows, closes the open files, and ships them (a failed ship keeps them for the next start). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.rotate();
  }

  private append(kind: Kind, model: string, text: string, rows: number): void {
    if (this.closed) return this.options.onDropped?.(rows);
    const key = `${kind}\0${model}`;
    const bytes = Buffer.byteLength(text);
    let file = this.files.get(key);
    if (file && file.bytes > 0 && file.bytes + bytes > this.maxFileBytes) {
      this.retire(key, file);
      file = undefined;
    }
    if (!file) this.files.set(key, (file = this.openFile(key, kind, model)));
    if (file.write(text, bytes, rows)) this.options.onWritten?.(kind, rows);
    else this.options.onDropped?.(rows);
  }

  private openFile(key: string, kind: Kind, model: string): LogFile {
    const folder = kind === 'predictions' ? path.join(this.dir, model) : path.join(this.dir, model, 'feedback');
    const file: LogFile = new LogFile(newLogFileName(folder), this.maxBufferedBytes, (err, rows) => {
      // Unwritable (say, a file where the model's folder should be): count its rows, and let
      // the next row try a new file.
      if (this.files.get(key) === file) this.files.delete(key);
      this.options.onDropped?.(rows, err);
    });
    return file;
  }

  /** Takes a file out of use, closes it and ships it. */
  private retire(key: string, file: LogFile): void {
    if (this.files.get(key) === file) this.files.delete(key);
    const done = file.end().then(async () => {
      if (file.failed === undefined) await this.shipper?.ship(file.file);
    });
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
  }

  private rotateOld(): void {
    const now = Date.now();
    for (const [key, file] of this.files) if (now - file.openedAt >= this.rotateMs) this.retire(key, file);
  }
}
