/**
 * The inference log's thread: turns the records the request thread encoded into NDJSON rows
 * and appends them to the log's files, one batch at a time, in the order they were sent.
 * Formatting rows (numbers to text above all) and writing files cost more per prediction
 * than everything else the server does besides HTTP itself, so they run here, off the
 * request thread (bench/serving.bench.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { decodeRecords, type RowSchema } from './inference-log-codec.js';
import { LogFiles } from './inference-log-files.js';

export interface LogThreadData {
  readonly dir: string;
  readonly maxFileBytes: number;
}

/** A batch from the request thread: schemas it has not sent before, and the records. */
export interface LogBatch {
  readonly id: number;
  readonly schemas: [number, RowSchema][];
  readonly bytes: Uint8Array[];
}

/** What became of a batch: rows written per kind, and why the others were not (if any were not). */
export interface LogBatchDone {
  readonly id: number;
  readonly written: ['predictions' | 'feedback', number][];
  readonly errors: string[];
}

if (parentPort) {
  const port = parentPort;
  const { dir, maxFileBytes } = workerData as LogThreadData;
  const files = new LogFiles(dir, maxFileBytes);
  const schemas = new Map<number, RowSchema>();
  let queue = Promise.resolve();

  port.on('message', (batch: LogBatch) => {
    queue = queue.then(async () => port.postMessage(await write(batch)));
  });

  async function write(batch: LogBatch): Promise<LogBatchDone> {
    for (const [id, schema] of batch.schemas) schemas.set(id, schema);
    const done: LogBatchDone = { id: batch.id, written: [], errors: [] };
    const bytes = Buffer.concat(batch.bytes);
    let groups;
    try {
      groups = decodeRecords(bytes, schemas);
    } catch (err) {
      done.errors.push(errorMessage(err));
      return done;
    }
    for (const rows of groups) {
      try {
        await files.append(rows.model, rows.kind, rows.date, rows.bytes.buffers());
        done.written.push([rows.kind, rows.rows]);
      } catch (err) {
        done.errors.push(errorMessage(err));
      }
    }
    return done;
  }
}
