/**
 * The inference log's files: `<dir>/<model>/<date>.ndjson` for predictions and
 * `<dir>/<model>/feedback/<date>.ndjson` for feedback, then `<date>.1.ndjson`, `.2`, … once a
 * file passes `maxFileBytes`. After a restart, appending goes on in a date's newest file.
 */
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

interface FileState {
  index: number;
  bytes: number;
}

export class LogFiles {
  private readonly files = new Map<string, FileState>();

  constructor(
    private readonly dir: string,
    private readonly maxFileBytes: number,
  ) {}

  /** Appends NDJSON bytes to the file of a model, kind and date (rotating by size first). */
  async append(model: string, kind: 'predictions' | 'feedback', date: string, bytes: Buffer[]): Promise<void> {
    const folder = kind === 'predictions' ? path.join(this.dir, model) : path.join(this.dir, model, 'feedback');
    const key = `${folder}\0${date}`;
    let file = this.files.get(key);
    if (!file) {
      await mkdir(folder, { recursive: true });
      file = await lastFile(folder, date);
      this.files.set(key, file);
    }
    const size = bytes.reduce((n, b) => n + b.length, 0);
    if (file.bytes > 0 && file.bytes + size > this.maxFileBytes) {
      file.index++;
      file.bytes = 0;
    }
    const handle = await open(path.join(folder, fileName(date, file.index)), 'a');
    try {
      await handle.writev(bytes);
    } finally {
      await handle.close();
    }
    file.bytes += size;
  }
}

function fileName(date: string, index: number): string {
  return index === 0 ? `${date}.ndjson` : `${date}.${index}.ndjson`;
}

/** The newest file of a date in a folder. */
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
