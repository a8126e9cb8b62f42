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
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Prediction } from '../model/types.js';
import type { FeatureSpec } from '../spec/schema.js';
import { ByteChunks } from './byte-chunks.js';
import type { FeedbackItem } from './feedback.js';
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
  /** The rows, newline-terminated UTF-8. */
  readonly bytes: ByteChunks;
  rows: number;
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
  /** Rows not yet written, per kind and model (one file date each). */
  private pending = { predictions: new Map<string, Pending>(), feedback: new Map<string, Pending>() };
  /** Rows of an earlier date, waiting for the next flush. */
  private retired: Pending[] = [];
  private readonly middles = new Map<string, { version: number; alias: string | null; text: string }>();
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
    // Built by hand rather than JSON.stringify(row), with the parts that repeat cached: this
    // runs for every prediction served (see bench/serving.bench.ts).
    const time = isoNow();
    const head = `{"time":"${time}","request_id":${JSON.stringify(entry.requestId)},"index":`;
    const mid = this.rowMiddle(entry.model, entry.version, entry.alias);
    const features = featureWriter(entry.features);
    let text = '';
    for (let i = 0; i < entry.instances.length; i++) {
      text += `${head}${i}${mid}${features(entry.instances[i]!)},${predictionJson(entry.predictions[i])}}\n`;
    }
    this.add(entry.model, 'predictions', time, text, entry.instances.length);
  }

  /** Buffers ground-truth labels. */
  logFeedback(model: string, items: readonly FeedbackItem[]): void {
    const time = isoNow();
    const text = items.map((item) => `${JSON.stringify({ time, request_id: item.requestId, index: item.index, model, label: item.label } satisfies FeedbackRow)}\n`).join('');
    this.add(model, 'feedback', time, text, items.length);
  }

  /** Appends everything buffered so far; resolves once it is on disk. */
  flush(): Promise<void> {
    const batch = [...this.retired, ...this.pending.predictions.values(), ...this.pending.feedback.values()];
    this.pending = { predictions: new Map(), feedback: new Map() };
    this.retired = [];
    this.buffered = 0;
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** Stops the timer and writes what is buffered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** `,"model":…,"version":…,"alias":…,"features":`, the same for every row of a model version and alias. */
  private rowMiddle(model: string, version: number, alias: string | null): string {
    let cached = this.middles.get(model);
    if (cached?.version !== version || cached.alias !== alias) {
      cached = { version, alias, text: `,"model":${JSON.stringify(model)},"version":${version},"alias":${JSON.stringify(alias)},"features":` };
      this.middles.set(model, cached);
    }
    return cached.text;
  }

  private add(model: string, kind: Pending['kind'], time: string, text: string, rows: number): void {
    // UTF-8 is at most 3 bytes per UTF-16 unit: the check never lets the buffer pass its bound.
    if (this.buffered + text.length * 3 > this.maxBufferedBytes && this.buffered + Buffer.byteLength(text) > this.maxBufferedBytes) {
      this.options.onDropped?.(rows);
      return;
    }
    const date = time.slice(0, 10);
    const byModel = kind === 'predictions' ? this.pending.predictions : this.pending.feedback;
    let pending = byModel.get(model);
    if (pending?.date !== date) {
      if (pending) this.retired.push(pending);
      const folder = kind === 'predictions' ? path.join(this.dir, model) : path.join(this.dir, model, 'feedback');
      pending = { folder, date, kind, bytes: new ByteChunks(), rows: 0 };
      byModel.set(model, pending);
    }
    this.buffered += pending.bytes.append(text);
    pending.rows += rows;
  }

  private async write(batch: readonly Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        await this.append(pending);
        this.options.onWritten?.(pending.kind, pending.rows);
      } catch (err) {
        this.options.onDropped?.(pending.rows, err);
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
    const size = pending.bytes.length;
    if (file.bytes > 0 && file.bytes + size > this.maxFileBytes) {
      file.index++;
      file.bytes = 0;
    }
    const handle = await open(path.join(pending.folder, fileName(pending.date, file.index)), 'a');
    try {
      await handle.writev(pending.bytes.buffers());
    } finally {
      await handle.close();
    }
    file.bytes += size;
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
