/**
 * Turns a DuckDB failure while reading a source into MlopsError('DataUnreadable') with one
 * line naming the file and DuckDB's reason. Resource failures (out of memory, interrupted)
 * are rethrown as they are: they are not the data's fault, and a retry may succeed.
 */
import { isMlopsError, MlopsError } from '../errors.js';
import { firstMalformedLine } from './csv-lines.js';
import { accessDenied } from './data-access.js';
import { duckdbReason, type DataEngine } from './engine.js';
import type { DataSource } from './source.js';
import type { ColumnInfo } from './types.js';

const transient = /^(Out of Memory Error|INTERRUPT Error|Interrupt)/i;

/** Runs `fn` (a query over `source`) and translates DuckDB's reading errors. */
export async function readingSource<T>(source: Pick<DataSource, 'origin' | 'files'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isMlopsError(err) || !(err instanceof Error) || transient.test(err.message)) throw err;
    // The engine's lock refused a path (one a query computed at run time): same refusal as before a read.
    const denied = /^Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(err.message);
    if (denied) throw accessDenied(denied[1] ?? '', `${source.origin}: the file`);
    const reason = duckdbReason(err);
    throw new MlopsError('DataUnreadable', `${describe(source, err.message)}: ${reason}${hint(reason)}`, { origin: source.origin });
  }
}

/**
 * The columns of `source` (name and DuckDB type), with reading errors translated as
 * {@link readingSource} does. A CSV whose dialect DuckDB could not detect (it then reads one
 * column named after the whole header line) becomes a DataUnreadable naming the bad line.
 */
export async function describeSource(engine: DataEngine, source: DataSource): Promise<ColumnInfo[]> {
  const columns = await readingSource(source, () => engine.describe(`SELECT * FROM ${source.relation}`, source.queryOptions));
  const delimiter = source.format === 'tsv' ? '\t' : source.format === 'csv' ? ',' : undefined;
  if (delimiter === undefined || columns.length !== 1 || !columns[0]?.name.includes(delimiter)) return columns;
  for (const file of source.files) {
    const bad = await firstMalformedLine(file, delimiter);
    if (bad) {
      throw new MlopsError(
        'DataUnreadable',
        `cannot read ${file}: line ${bad.line} has ${bad.fields} fields but the header has ${bad.expected}; fix or remove that line`,
        { path: file, line: bad.line },
      );
    }
  }
  return columns;
}

/** A hint for DuckDB reasons that are not self-explanatory. */
function hint(reason: string): string {
  if (/Error when converting column/i.test(reason)) return '; the column mixes types (its type was detected from the first rows): clean that line or quote the values';
  if (/magic bytes|too small to be a Parquet file/i.test(reason)) return '; the file is not Parquet: check that its extension matches its format';
  return '';
}

function describe(source: Pick<DataSource, 'origin' | 'files'>, message: string): string {
  if (source.files.length === 0) return `${source.origin} failed`;
  // CSV errors name the offending file on a later line ("file = /abs/x.csv").
  const file = /^\s*file = (.+)$/m.exec(message)?.[1]?.trim();
  if (file && file !== source.origin) return `cannot read ${file} (from ${source.origin})`;
  return `cannot read ${source.origin}`;
}
