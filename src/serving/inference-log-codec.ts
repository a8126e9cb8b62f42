/**
 * The inference log's records on their way from the request thread to the log's thread: a
 * compact binary form that costs the request thread a few number and string writes per row,
 * and the NDJSON text that the log's thread makes of it (the rows of ./inference-log.ts).
 *
 * Records, little-endian, strings as u32 UTF-8 length + bytes:
 * - predictions: u8 1, u32 schema id, f64 time (ms since epoch), str request id, u32 count,
 *   then per instance one value per schema feature and the prediction;
 * - feedback: u8 2, str model, f64 time, str rows (NDJSON, made on the request thread: rare).
 * A value is u8 0 (null), u8 1 + f64 (a number) or u8 2 + str (a string); a prediction is
 * one of those or u8 3 + str label + u32 n + n × (str class, f64 probability).
 */
import type { Prediction } from '../model/types.js';
import type { FeatureSpec } from '../spec/schema.js';
import { ByteChunks, ByteReader } from './byte-chunks.js';
import type { Instance } from './instances.js';

/** What every row of a model version, routed one way, shares. */
export interface RowSchema {
  readonly model: string;
  readonly version: number;
  readonly alias: string | null;
  readonly features: readonly Pick<FeatureSpec, 'name' | 'type'>[];
}

const PREDICTIONS = 1;
const FEEDBACK = 2;
const NULL = 0;
const NUMBER = 1;
const STRING = 2;
const CLASSIFIED = 3;

export function writePredictions(
  out: ByteChunks,
  schemaId: number,
  features: RowSchema['features'],
  time: number,
  requestId: string,
  instances: readonly Instance[],
  predictions: readonly Prediction[],
): void {
  out.u8(PREDICTIONS);
  out.u32(schemaId);
  out.f64(time);
  out.str(requestId);
  out.u32(instances.length);
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i]!;
    for (let f = 0; f < features.length; f++) {
      const { name, type } = features[f]!;
      const v = instance[name];
      // As the model saw it: numbers for numeric features, strings for categorical ones.
      if (v === null || v === undefined) out.u8(NULL);
      else if (type !== 'numeric') {
        out.u8(STRING);
        out.str(String(v));
      } else if (typeof v === 'number' && Number.isFinite(v)) {
        out.u8(NUMBER);
        out.f64(v);
      } else out.u8(NULL);
    }
    writePrediction(out, predictions[i]);
  }
}

function writePrediction(out: ByteChunks, p: Prediction | undefined): void {
  if (typeof p === 'number') {
    if (Number.isFinite(p)) {
      out.u8(NUMBER);
      out.f64(p);
    } else out.u8(NULL);
  } else if (p === undefined) out.u8(NULL);
  else {
    out.u8(CLASSIFIED);
    out.str(p.label);
    const classes = Object.keys(p.probabilities);
    out.u32(classes.length);
    for (const c of classes) {
      out.str(c);
      out.f64(p.probabilities[c]!);
    }
  }
}

export function writeFeedback(out: ByteChunks, model: string, time: number, rows: string): void {
  out.u8(FEEDBACK);
  out.str(model);
  out.f64(time);
  out.str(rows);
}

/** Rows of one kind for one model and UTC date, as NDJSON (UTF-8). */
export interface DecodedRows {
  readonly model: string;
  readonly kind: 'predictions' | 'feedback';
  readonly date: string;
  readonly bytes: ByteChunks;
  rows: number;
}

/**
 * Turns records back into NDJSON rows, grouped by model, kind and date (in arrival order).
 * Rows are written straight as bytes: the parts every row of a schema shares are encoded once,
 * and strings that need no JSON escaping (request ids, category codes: nearly all) are copied
 * from the record without being decoded. Only numbers are made into text.
 */
export function decodeRecords(bytes: Buffer, schemas: ReadonlyMap<number, RowSchema>): DecodedRows[] {
  const groups = new Map<string, DecodedRows>();
  const group = (model: string, kind: DecodedRows['kind'], date: string): DecodedRows => {
    const key = `${kind}\0${model}\0${date}`;
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = { model, kind, date, bytes: new ByteChunks(), rows: 0 }));
    return rows;
  };
  // Records come in runs of one schema and millisecond: what rows of a run share is looked up once.
  let run: { schema: RowSchema; ms: number; rows: DecodedRows; head: Buffer; middle: Buffer; keys: Buffer[] } | undefined;
  const read = new ByteReader(bytes);
  while (!read.done) {
    const type = read.u8();
    if (type === FEEDBACK) {
      const model = read.str();
      const time = new Date(read.f64()).toISOString();
      const text = read.str();
      const rows = group(model, 'feedback', time.slice(0, 10));
      rows.bytes.text(text);
      rows.rows += countLines(text);
      continue;
    }
    if (type !== PREDICTIONS) throw new Error(`inference log: unknown record type ${type}`);
    const schema = schemas.get(read.u32());
    if (!schema) throw new Error('inference log: a record names a schema the log thread was never sent');
    const ms = read.f64();
    if (run?.schema !== schema || run.ms !== ms) {
      const time = new Date(ms).toISOString();
      run = { schema, ms, rows: group(schema.model, 'predictions', time.slice(0, 10)), head: Buffer.from(`{"time":"${time}","request_id":`), ...parts(schema) };
    }
    const idStart = read.strStart();
    const idEnd = read.position;
    const count = read.u32();
    const { rows, head, middle, keys } = run;
    const out = rows.bytes;
    for (let i = 0; i < count; i++) {
      out.copy(head);
      jsonString(out, bytes, idStart, idEnd);
      out.copy(indexKey);
      out.ascii(String(i));
      out.copy(middle);
      for (let k = 0; k < keys.length; k++) {
        out.copy(keys[k]!);
        valueJson(read, out);
      }
      out.copy(featuresEnd);
      predictionJson(read, out);
      out.copy(rowEnd);
    }
    rows.rows += count;
  }
  return [...groups.values()];
}

const indexKey = Buffer.from(',"index":');
const featuresEnd = Buffer.from('},"prediction":');
const rowEnd = Buffer.from('}\n');
const nullJson = Buffer.from('null');
const rowParts = new WeakMap<RowSchema, { middle: Buffer; keys: Buffer[] }>();

/** The JSON between a row's index and its first feature value, and each feature's key: the same for every row of a schema. */
function parts(schema: RowSchema): { middle: Buffer; keys: Buffer[] } {
  let found = rowParts.get(schema);
  if (!found) {
    const middle = Buffer.from(`,"model":${JSON.stringify(schema.model)},"version":${schema.version},"alias":${JSON.stringify(schema.alias)},"features":{`);
    rowParts.set(schema, (found = { middle, keys: schema.features.map((f, k) => Buffer.from(`${k === 0 ? '' : ','}${JSON.stringify(f.name)}:`)) }));
  }
  return found;
}

/** UTF-8 bytes `src[start..end)` as a JSON string: copied between quotes when nothing needs escaping. */
function jsonString(out: ByteChunks, src: Buffer, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      out.text(JSON.stringify(src.toString('utf8', start, end)));
      return;
    }
  }
  out.u8(0x22);
  out.copy(src, start, end);
  out.u8(0x22);
}

function valueJson(read: ByteReader, out: ByteChunks): void {
  const tag = read.u8();
  if (tag === NUMBER) out.ascii(String(read.f64()));
  else if (tag === STRING) {
    const start = read.strStart();
    jsonString(out, read.bytes, start, read.position);
  } else out.copy(nullJson);
}

function predictionJson(read: ByteReader, out: ByteChunks): void {
  const tag = read.u8();
  if (tag === NUMBER) return out.ascii(String(read.f64()));
  if (tag !== CLASSIFIED) return out.copy(nullJson);
  const label = read.str();
  const probabilities: Record<string, number> = {};
  for (let n = read.u32(); n > 0; n--) {
    const name = read.str();
    probabilities[name] = read.f64();
  }
  out.text(`${JSON.stringify(label)},"probabilities":${JSON.stringify(probabilities)}`);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
