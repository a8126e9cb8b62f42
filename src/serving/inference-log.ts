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
 * Writing never blocks a response: rows go into a memory buffer that is appended to disk
 * every `flushIntervalMs`; if the disk falls behind by more than `maxBufferedBytes`, rows are
 * dropped and counted rather than letting memory grow. `close()` writes what is buffered.
 */
import { appendFile, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Prediction } from '../model/types.js';
import type { FeatureSpec } from '../spec/schema.js';
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
  /** Buffered bytes past which new rows are dropped (and counted). Default 32 MiB. */
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

interface Pending {
  readonly folder: string;
  readonly date: string;
  readonly kind: 'predictions' | 'feedback';
  lines: string[];
  bytes: number;
}

interface FileState {
  index: number;
  bytes: number;
}

export class InferenceLog {
  readonly dir: string;
  private readonly maxFileBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly options: InferenceLogOptions;
  private pending = new Map<string, Pending>();
  private buffered = 0;
  private readonly files = new Map<string, FileState>();
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

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
    // Built by hand rather than JSON.stringify(row): this runs for every prediction served.
    const time = isoNow();
    const head = `{"time":"${time}","request_id":${JSON.stringify(entry.requestId)},"index":`;
    const mid = `,"model":${JSON.stringify(entry.model)},"version":${entry.version},"alias":${JSON.stringify(entry.alias)},"features":`;
    const features = featureWriter(entry.features);
    const lines: string[] = [];
    for (let i = 0; i < entry.instances.length; i++) {
      lines.push(`${head}${i}${mid}${features(entry.instances[i]!)},${predictionJson(entry.predictions[i])}}`);
    }
    this.add(entry.model, 'predictions', time, lines);
  }

  /** Buffers ground-truth labels. */
  logFeedback(model: string, items: readonly { requestId: string; index: number; label: number | string }[]): void {
    const time = isoNow();
    const lines = items.map((item) => JSON.stringify({ time, request_id: item.requestId, index: item.index, model, label: item.label } satisfies FeedbackRow));
    this.add(model, 'feedback', time, lines);
  }

  /** Appends everything buffered so far; resolves once it is on disk. */
  flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.buffered = 0;
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** Stops the timer and writes what is buffered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private add(model: string, kind: Pending['kind'], time: string, lines: string[]): void {
    const bytes = lines.reduce((sum, l) => sum + l.length + 1, 0);
    if (this.buffered + bytes > this.maxBufferedBytes) {
      this.options.onDropped?.(lines.length);
      return;
    }
    const date = time.slice(0, 10);
    const key = `${kind}\0${model}\0${date}`;
    let pending = this.pending.get(key);
    if (!pending) {
      const folder = kind === 'predictions' ? path.join(this.dir, model) : path.join(this.dir, model, 'feedback');
      pending = { folder, date, kind, lines: [], bytes: 0 };
      this.pending.set(key, pending);
    }
    for (const line of lines) pending.lines.push(line);
    pending.bytes += bytes;
    this.buffered += bytes;
  }

  private async write(batch: readonly Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        await this.append(pending);
        this.options.onWritten?.(pending.kind, pending.lines.length);
      } catch (err) {
        this.options.onDropped?.(pending.lines.length, err);
      }
    }
  }

  private async append(pending: Pending): Promise<void> {
    const key = `${pending.folder}\0${pending.date}`;
    let file = this.files.get(key);
    if (!file) {
      await mkdir(pending.folder, { recursive: true });
      file = await lastFile(pending.folder, pending.date);
      this.files.set(key, file);
    }
    if (file.bytes > 0 && file.bytes + pending.bytes > this.maxFileBytes) {
      file.index++;
      file.bytes = 0;
    }
    await appendFile(path.join(pending.folder, fileName(pending.date, file.index)), `${pending.lines.join('\n')}\n`);
    file.bytes += pending.bytes;
  }
}

function fileName(date: string, index: number): string {
  return index === 0 ? `${date}.ndjson` : `${date}.${index}.ndjson`;
}

/** The newest file of a date in a folder (after a restart, keep appending to it). */
async function lastFile(folder: string, date: string): Promise<FileState> {
  const pattern = new RegExp(`^${date}(?:\\.(\\d+))?\\.ndjson$`);
  let index = 0;
  for (const name of await readdir(folder)) {
    const match = pattern.exec(name);
    if (match) index = Math.max(index, Number(match[1] ?? 0));
  }
  const bytes = await stat(path.join(folder, fileName(date, index))).then(
    (s) => s.size,
    () => 0,
  );
  return { index, bytes };
}

let lastMs = 0;
let lastIso = '';

/** The current time in ISO-8601, computed once per millisecond. */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

const featureWriters = new WeakMap<readonly FeatureSpec[], (instance: Instance) => string>();

/**
 * The `features` JSON of an instance as the model saw it: numbers for numeric features,
 * strings for categorical ones, null when missing. One writer per feature list (so per loaded
 * model version), with the keys escaped once.
 */
function featureWriter(features: readonly FeatureSpec[]): (instance: Instance) => string {
  let writer = featureWriters.get(features);
  if (writer) return writer;
  const keys = features.map((f, i) => `${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`);
  writer = (instance) => {
    if (features.length === 0) return '{}';
    let out = '';
    for (let i = 0; i < features.length; i++) {
      const f = features[i]!;
      const v = instance[f.name];
      let json: string;
      if (v === null || v === undefined) json = 'null';
      else if (f.type === 'numeric') json = typeof v === 'number' && Number.isFinite(v) ? String(v) : 'null';
      else json = JSON.stringify(String(v));
      out += keys[i] + json;
    }
    return `${out}}`;
  };
  featureWriters.set(features, writer);
  return writer;
}

/** `"prediction":…` (and `"probabilities":…` for a classifier) as JSON. */
function predictionJson(p: Prediction | undefined): string {
  if (typeof p === 'object') return `"prediction":${JSON.stringify(p.label)},"probabilities":${JSON.stringify(p.probabilities)}`;
  return `"prediction":${typeof p === 'number' && Number.isFinite(p) ? String(p) : 'null'}`;
}
