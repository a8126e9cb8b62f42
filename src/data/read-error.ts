/**
 * Turns a DuckDB failure while reading a source into MlopsError('DataUnreadable') with one
 * line naming the file and DuckDB's reason. Resource failures (out of memory, interrupted)
 * are rethrown as they are: they are not the data's fault, and a retry may succeed.
 */
import { isMlopsError, MlopsError } from '../errors.js';
import { duckdbReason } from './engine.js';
import type { DataSource } from './source.js';

const transient = /^(Out of Memory Error|INTERRUPT Error|Interrupt)/i;

/** Runs `fn` (a query over `source`) and translates DuckDB's reading errors. */
export async function readingSource<T>(source: Pick<DataSource, 'origin' | 'files'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isMlopsError(err) || !(err instanceof Error) || transient.test(err.message)) throw err;
    throw new MlopsError('DataUnreadable', `${describe(source, err.message)}: ${duckdbReason(err)}`, { origin: source.origin });
  }
}

function describe(source: Pick<DataSource, 'origin' | 'files'>, message: string): string {
  if (source.files.length === 0) return `${source.origin} failed`;
  // CSV errors name the offending file on a later line ("file = /abs/x.csv").
  const file = /^\s*file = (.+)$/m.exec(message)?.[1]?.trim();
  if (file && file !== source.origin) return `cannot read ${file} (from ${source.origin})`;
  return `cannot read ${source.origin}`;
}
