/**
 * `data.query` as the engine runs it: exactly one read-only SELECT, checked with DuckDB's own
 * parser (statement extraction, then `json_serialize_sql`, which serializes SELECTs only), never
 * with a regex. The files it names (string literals given to `read_*`/`*_scan`/`glob`/`parquet_*`
 * table functions, and `FROM 'file.csv'`) are made absolute against the spec's folder, in the
 * query text itself (the engine's configuration is locked, so no `file_search_path`), and checked
 * against the data roots before any read. A path DuckDB only computes at run time (`'/et' || 'c'`)
 * is stopped by the engine's own lock instead.
 */
import path from 'node:path';
import { MlopsError } from '../errors.js';
import { checkDataPath } from './data-access.js';
import { duckdbReason, quoteLiteral, type DataEngine } from './engine.js';

/** Table functions whose positional string arguments are file paths or globs. */
const fileFunction = /^(read_\w+|\w+_scan|glob|parquet_\w+|sniff_csv)$/i;

/** A string literal in the query text that names a file: its byte range and value. */
interface PathLiteral {
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/**
 * Checks `query` and returns it with relative file paths made absolute against `baseDir`.
 * Throws SpecInvalid (not one SELECT, with DuckDB's reason) or DataAccessDenied (a named file
 * outside the data roots).
 */
export async function checkDataQuery(engine: DataEngine, query: string, baseDir: string): Promise<string> {
  const text = query.trim().replace(/;+\s*$/, '');
  const statements = await engine.withConnection(async (conn) => (await conn.extractStatements(text)).count).catch((err: unknown) => {
    throw new MlopsError('DataUnreadable', `data.query failed: ${duckdbReason(err).replace(/^Failed to extract statements: /, '')}`);
  });
  if (statements !== 1) throw new MlopsError('SpecInvalid', `data.query must be exactly one SELECT statement, got ${statements} statements; remove the others`);
  const [row] = await engine.rows(`SELECT json_serialize_sql(${quoteLiteral(text)}) AS ast`);
  const ast = JSON.parse(String(row?.['ast'])) as { error?: boolean; error_message?: string; statements?: unknown[] };
  if (ast.error || ast.statements?.length !== 1) {
    throw new MlopsError('SpecInvalid', `data.query must be one read-only SELECT statement: ${ast.error_message ?? 'it is not a SELECT'}`);
  }
  const bytes = Buffer.from(text, 'utf8');
  const literals = pathLiterals(ast.statements[0], bytes);
  let rewritten = bytes;
  // From the end, so earlier offsets stay valid.
  for (const literal of [...literals].sort((a, b) => b.start - a.start)) {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(literal.value) ? literal.value : path.resolve(baseDir, literal.value);
    await checkDataPath(engine.access, absolute, 'data.query file');
    rewritten = Buffer.concat([rewritten.subarray(0, literal.start), Buffer.from(quoteLiteral(absolute)), rewritten.subarray(literal.end)]);
  }
  return rewritten.toString('utf8');
}

/** Every file-naming string literal of the serialized statement. */
function pathLiterals(node: unknown, sql: Buffer): PathLiteral[] {
  const found = new Map<number, PathLiteral>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const n = value as Record<string, unknown>;
    if (n['type'] === 'BASE_TABLE' && typeof n['table_name'] === 'string' && n['schema_name'] === '') {
      addLiteral(found, sql, n['query_location'], n['table_name'], `'"`);
    }
    if (n['type'] === 'TABLE_FUNCTION') {
      const fn = n['function'] as { function_name?: string; children?: unknown[] } | undefined;
      if (fn?.function_name && fileFunction.test(fn.function_name)) for (const child of fn.children ?? []) collectStrings(found, sql, child);
    }
    Object.values(n).forEach(visit);
  };
  visit(node);
  return [...found.values()];
}

/** String constants given directly or inside a list (`['a.csv', 'b.csv']`). */
function collectStrings(found: Map<number, PathLiteral>, sql: Buffer, child: unknown): void {
  const c = child as { class?: string; function_name?: string; children?: unknown[]; query_location?: unknown; value?: { value?: unknown; type?: { id?: string } } };
  if (c.class === 'CONSTANT' && c.value?.type?.id === 'VARCHAR' && typeof c.value.value === 'string') addLiteral(found, sql, c.query_location, c.value.value, `'`);
  if (c.class === 'FUNCTION' && c.function_name === 'list_value') for (const item of c.children ?? []) collectStrings(found, sql, item);
}

/** Records the quoted literal that starts at `location`, when the text there is one. */
function addLiteral(found: Map<number, PathLiteral>, sql: Buffer, location: unknown, value: string, quotes: string): void {
  if (typeof location !== 'number' || location >= sql.length) return;
  const quote = String.fromCharCode(sql[location]!);
  if (!quotes.includes(quote)) return;
  let end = location + 1;
  for (; end < sql.length; end++) {
    if (String.fromCharCode(sql[end]!) !== quote) continue;
    if (String.fromCharCode(sql[end + 1] ?? 0) === quote) end++;
    else break;
  }
  found.set(location, { start: location, end: end + 1, value });
}
