/**
 * Turns `data.source` (a file, directory or glob) or `data.query` (DuckDB SQL) into a relation
 * expression usable after `FROM`. Paths are checked with the filesystem first, so a typo
 * becomes a DataNotFound naming the absolute path rather than a DuckDB IO error.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError } from '../errors.js';
import { checkDataPath, requireRegularFile } from './data-access.js';
import { checkDataQuery } from './data-query.js';
import { quoteList, quoteLiteral, type DataEngine, type QueryOptions } from './engine.js';

/** The file formats `data.source` may point at. */
export type DataFormat = 'csv' | 'tsv' | 'parquet' | 'json' | 'ndjson';

const formatsByExtension: Readonly<Record<string, DataFormat>> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.parquet': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** Extensions accepted in `data.source`; text formats may also end in `.gz`. */
export const supportedExtensions: readonly string[] = Object.keys(formatsByExtension);

/** A resolved data source: the SQL to read it and what to name in error messages. */
export interface DataSource {
  /** A relation expression for `FROM`, e.g. `read_parquet(['/abs/a.parquet'])` or `(SELECT …)`. */
  readonly relation: string;
  /** Where the data comes from, for messages: the absolute path or glob, or `data.query`. */
  readonly origin: string;
  /** The files read, sorted; empty for `data.query`. */
  readonly files: readonly string[];
  readonly format?: DataFormat;
  /** Pass to every query over `relation`. */
  readonly queryOptions: QueryOptions;
}

/** What {@link resolveDataSource} needs from the spec's `data` section. */
export interface DataSourceSpec {
  readonly source?: string | undefined;
  readonly query?: string | undefined;
}

/**
 * Resolves `data.source` or `data.query`. Relative paths are resolved against `baseDir` (the
 * spec file's folder). Throws MlopsError DataNotFound / DataUnreadable with the absolute path,
 * DataAccessDenied for anything outside the data roots, SpecInvalid for a query that is not one SELECT.
 */
export async function resolveDataSource(engine: DataEngine, data: DataSourceSpec, baseDir: string): Promise<DataSource> {
  if (data.query !== undefined) {
    // The newlines keep a trailing `-- comment` from swallowing the closing parenthesis.
    return { relation: `(\n${await checkDataQuery(engine, data.query, baseDir)}\n)`, origin: 'data.query', files: [], queryOptions: {} };
  }
  if (data.source === undefined) {
    // A data.snapshot is an artifact, read by ingest through the store; pass its file to read it here.
    throw new MlopsError('DataNotFound', 'the spec has neither data.source nor data.query; give one of them (a data.snapshot spec is read by ingest; to check it here, pass the file, e.g. mlops validate --data)');
  }
  return resolveFileSource(engine, data.source, baseDir);
}

/**
 * Resolves a file, directory or glob to the sorted list of files and the SQL that reads them;
 * `what` names the field or flag in a DataAccessDenied.
 */
export async function resolveFileSource(engine: DataEngine, source: string, baseDir: string, what = 'data.source'): Promise<DataSource> {
  const absolute = path.resolve(baseDir, source);
  // Before any stat: whether a file outside the roots exists is not for the caller to learn.
  await checkDataPath(engine.access, absolute, what);
  const files = await expand(engine, source, absolute);
  for (const file of files) {
    await checkDataPath(engine.access, file, what);
    await requireRegularFile(file, what);
  }
  await rejectEmptyFiles(files);
  const format = commonFormat(files, absolute);
  return { relation: readRelation(files, format), origin: absolute, files, format, queryOptions: {} };
}

/** The format of a file from its extension (ignoring a trailing `.gz`), or undefined. */
export function formatOf(file: string): DataFormat | undefined {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  return formatsByExtension[path.extname(name)];
}

/** The DuckDB table function call that reads `files` of one `format`. */
export function readRelation(files: readonly string[], format: DataFormat): string {
  const list = quoteList(files);
  // Files from a glob may list columns in different orders; match them by name.
  const union = files.length > 1 ? ', union_by_name = true' : '';
  switch (format) {
    case 'csv':
      return `read_csv(${list}, header = true, auto_detect = true${union})`;
    case 'tsv':
      return `read_csv(${list}, header = true, auto_detect = true, delim = ${quoteLiteral('\t')}${union})`;
    case 'parquet':
      return `read_parquet(${list}${union})`;
    case 'json':
      // 'auto' also accepts newline-delimited content saved as .json, a common mix-up.
      return `read_json(${list}, format = 'auto'${union})`;
    case 'ndjson':
      return `read_json(${list}, format = 'newline_delimited'${union})`;
  }
}

async function expand(engine: DataEngine, source: string, absolute: string): Promise<string[]> {
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) return listDirectory(absolute);
  if (info) return [absolute];
  if (!isGlob(source)) {
    throw new MlopsError('DataNotFound', `data file ${absolute} does not exist; check data.source ("${source}")`, { path: absolute });
  }
  // Node 20 has no fs.glob; DuckDB's glob() has the same semantics DuckDB readers use.
  const rows = await engine.rows(`SELECT file FROM glob(${quoteLiteral(absolute)}) ORDER BY file`);
  const files = rows.map((r) => String(r['file']));
  if (files.length === 0) {
    throw new MlopsError('DataNotFound', `no files match "${source}" (resolved to ${absolute}); check the path or glob`, { path: absolute });
  }
  return files;
}

async function listDirectory(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Hidden files, markers like _SUCCESS and READMEs sit next to data; only known formats count.
  const files = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.startsWith('_') && formatOf(e.name) !== undefined)
    .map((e) => path.join(dir, e.name))
    .sort();
  if (files.length === 0) {
    throw new MlopsError('DataNotFound', `directory ${dir} holds no data files; expected ${supportedExtensions.join(' ')} files`, { path: dir });
  }
  return files;
}

async function rejectEmptyFiles(files: readonly string[]): Promise<void> {
  const sizes = await Promise.all(files.map(async (f) => ({ file: f, bytes: (await stat(f)).size })));
  const empty = sizes.find((s) => s.bytes === 0);
  if (empty) {
    throw new MlopsError('DataUnreadable', `data file ${empty.file} is empty (0 bytes); regenerate or remove it`, { path: empty.file });
  }
}

function commonFormat(files: readonly string[], origin: string): DataFormat {
  const byFormat = new Map<DataFormat, number>();
  for (const file of files) {
    const format = formatOf(file);
    if (!format) {
      const ext = path.extname(file) || '(none)';
      throw new MlopsError(
        'DataUnreadable',
        `cannot read ${file}: unsupported extension ${ext}; supported: ${supportedExtensions.join(' ')} (text formats may be .gz)`,
        { path: file },
      );
    }
    byFormat.set(format, (byFormat.get(format) ?? 0) + 1);
  }
  if (byFormat.size > 1) {
    const counts = [...byFormat].map(([format, n]) => `${n} ${format}`).join(', ');
    const dir = isGlob(origin) ? path.dirname(origin) : origin;
    const first = [...byFormat.keys()][0] as DataFormat;
    throw new MlopsError(
      'DataUnreadable',
      `${origin} mixes file formats (${counts}); one source must hold one format, e.g. data.source: ${path.join(dir, `*.${first}`)}`,
      { path: origin },
    );
  }
  return [...byFormat.keys()][0] as DataFormat;
}

function isGlob(p: string): boolean {
  return /[*?[]/.test(p);
}
