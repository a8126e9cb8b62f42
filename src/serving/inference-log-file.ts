/**
 * One open file of the inference log, appended to through a SonicBoom (pino's destination):
 * writes are queued in memory and written asynchronously, so logging never blocks a reply.
 * Past `maxBufferedBytes` not yet on disk, SonicBoom drops what is written and says so, and
 * {@link LogFile.write} returns false.
 *
 * Names: `<stamp>.<pid>.<n>.ndjson` (stamp = UTC opening time, `2024-05-01T12-00-00-000Z`), so
 * names sort by time, never collide, and say which process wrote them (see ./inference-log-shipper.ts).
 */
import path from 'node:path';
import sonicBoom, { type SonicBoom as Boom } from 'sonic-boom';

// The module is the class itself (CommonJS); its types describe a namespace holding it.
const SonicBoom = sonicBoom as unknown as typeof Boom;

const namePattern = /^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)\.(\d+)\.(\d+)\.ndjson$/;
let opened = 0;

/** A fresh file name in `folder` for this process. */
export function newLogFileName(folder: string, now = Date.now()): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  return path.join(folder, `${stamp}.${process.pid}.${opened++}.ndjson`);
}

/** The process id in a log file's name; undefined when the name is not one of the log's. */
export function writerPid(fileName: string): number | undefined {
  const match = namePattern.exec(fileName);
  return match ? Number(match[2]) : undefined;
}

export class LogFile {
  /** Rows accepted (on disk or on their way). */
  rows = 0;
  /** Bytes accepted. */
  bytes = 0;
  readonly openedAt = Date.now();
  /** Set once the file could not be opened or written; it takes no more rows then. */
  failed?: unknown;
  private readonly boom: Boom;
  private dropped = false;
  private ended = false;
  private readonly closed: Promise<void>;

  constructor(
    readonly file: string,
    maxBufferedBytes: number,
    onError: (err: unknown, rows: number) => void,
  ) {
    this.boom = new SonicBoom({ dest: file, mkdir: true, append: true, maxLength: maxBufferedBytes });
    // Emitted synchronously inside write(), so write() can tell its caller.
    this.boom.on('drop', () => (this.dropped = true));
    this.closed = new Promise((resolve) => {
      this.boom.once('close', () => resolve());
      this.boom.on('error', (err: unknown) => {
        if (this.failed === undefined) {
          this.failed = err;
          onError(err, this.rows);
        }
        resolve();
      });
    });
  }

  /** Appends NDJSON text of `bytes` bytes holding `rows` rows; false when it was dropped. */
  write(text: string, bytes: number, rows: number): boolean {
    if (this.failed !== undefined || this.ended) return false;
    this.dropped = false;
    this.boom.write(text);
    if (this.dropped) return false;
    this.rows += rows;
    this.bytes += bytes;
    return true;
  }

  /** Writes what is queued and closes the file; settles (never rejects) once it is closed or has failed. */
  end(): Promise<void> {
    if (this.failed === undefined && !this.ended) this.boom.end();
    this.ended = true;
    return this.closed;
  }
}
