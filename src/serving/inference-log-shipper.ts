/**
 * Ships closed inference-log files: each goes to the artifact store (`putFile`, content
 * addressed), is indexed in the registry as an {@link InferenceSegment} (idempotent on its
 * SHA-256), and only then is the local file removed. A failed ship keeps the file and it is
 * tried again with the next one; files left by a server that died are found and shipped when
 * the next one starts. So a row is never lost and a segment never indexed twice, even when a
 * crash falls between the upload and the removal.
 *
 * Ships run one at a time, in order, off the request path.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { InferenceSegment, ModelRegistry } from '../registry/model-registry.js';
import { writerPid } from './inference-log-file.js';

export interface ShipperOptions {
  /** The log's root: files are `<dir>/<model>/*.ndjson` and `<dir>/<model>/feedback/*.ndjson`. */
  readonly dir: string;
  readonly store: ArtifactStore;
  readonly registry: ModelRegistry;
  readonly onShipped?: (segment: InferenceSegment) => void;
  /** A ship failed; the file is kept and tried again. */
  readonly onFailed?: (file: string, err: unknown) => void;
}

export class SegmentShipper {
  private readonly pending = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private readonly writer = `${os.hostname()}:${process.pid}`;

  constructor(private readonly options: ShipperOptions) {}

  /** Ships `file` (closed) and every file whose ship failed before; settles when done, never rejects. */
  ship(file?: string): Promise<void> {
    if (file !== undefined) this.pending.add(file);
    this.queue = this.queue.then(() => this.shipPending());
    return this.queue;
  }

  /** Finds files left by servers that are gone (or by this process: one log per folder) and ships them. */
  shipLeftovers(): Promise<void> {
    this.queue = this.queue.then(async () => {
      for (const file of await logFiles(this.options.dir)) {
        const pid = writerPid(path.basename(file));
        if (pid !== undefined && (pid === process.pid || !isAlive(pid))) this.pending.add(file);
      }
    }).catch((err: unknown) => this.options.onFailed?.(this.options.dir, err));
    return this.ship();
  }

  /** Settles once everything queued so far has been tried. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async shipPending(): Promise<void> {
    for (const file of [...this.pending]) {
      try {
        await this.shipOne(file);
        this.pending.delete(file);
      } catch (err) {
        this.options.onFailed?.(file, err);
      }
    }
  }

  private async shipOne(file: string): Promise<void> {
    const { dir, store, registry } = this.options;
    const [model, sub] = path.relative(dir, path.dirname(file)).split(path.sep) as [string, string?];
    const scan = await scanRows(file);
    if (scan === undefined) return rm(file, { force: true });
    const artifact = await store.putFile(file, '.ndjson');
    const segment: InferenceSegment = { model, kind: sub === 'feedback' ? 'feedback' : 'predictions', artifact, ...scan, writer: this.writer };
    await registry.addInferenceSegment(segment);
    await rm(file, { force: true });
    this.options.onShipped?.(segment);
  }
}

/** Every log file under `dir`: `<model>/*.ndjson` and `<model>/feedback/*.ndjson`. */
async function logFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const model of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!model.isDirectory()) continue;
    for (const folder of [path.join(dir, model.name), path.join(dir, model.name, 'feedback')]) {
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        if (writerPid(name) !== undefined) files.push(path.join(folder, name));
      }
    }
  }
  return files.sort();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A file's row count and the times of its first and last rows; undefined when it has none. A
 * last row without its newline (the writer died mid-write) is cut off first, so every shipped
 * segment is whole NDJSON.
 */
async function scanRows(file: string): Promise<Pick<InferenceSegment, 'rows' | 'firstAt' | 'lastAt'> | undefined> {
  let rows = 0;
  let first: string | undefined;
  let last: string | undefined;
  let previous: string | undefined;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    rows++;
    first ??= line;
    previous = last;
    last = line;
  }
  if (last !== undefined) {
    const { size, whole } = await tail(file);
    if (!whole) {
      await truncate(file, size - Buffer.byteLength(last));
      rows--;
      last = previous;
      if (rows === 0) first = undefined;
    }
  }
  if (first === undefined || last === undefined) return undefined;
  return { rows, firstAt: timeOf(first), lastAt: timeOf(last) };
}

/** A non-empty file's size, and whether it ends with a newline. */
async function tail(file: string): Promise<{ size: number; whole: boolean }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return { size, whole: buffer[0] === 0x0a };
  } finally {
    await handle.close();
  }
}

function timeOf(row: string): string {
  const time = (JSON.parse(row) as { time?: unknown }).time;
  if (typeof time !== 'string') throw new Error(`an inference log row has no "time": ${row.slice(0, 200)}`);
  return time;
}
