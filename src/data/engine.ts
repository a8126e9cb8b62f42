/**
 * A small wrapper around an in-memory DuckDB instance: the data layer's only door to SQL.
 * Every query runs on its own short-lived connection, so one engine can be shared by
 * concurrent activities without interleaving statements on a connection.
 */
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type JS } from '@duckdb/node-api';
import type { ColumnInfo } from './types.js';

/** Options of {@link DataEngine.open}. */
export interface DataEngineOptions {
  /**
   * Worker threads DuckDB may use. Defaults to 2 (or fewer cores): the worker also runs
   * training and heartbeats, so the data layer should not take every core.
   */
  readonly threads?: number;
  /** DuckDB `memory_limit`, e.g. `'1GB'`; beyond it DuckDB spills to `tempDirectory`. Default `'2GB'`. */
  readonly memoryLimit?: string;
  /** Where DuckDB spills; defaults under the OS temp dir rather than `./.tmp` in the working directory. */
  readonly tempDirectory?: string;
}

/** Per-query session settings. */
export interface QueryOptions {
  /**
   * Folder that relative file paths inside the SQL are resolved against (DuckDB's
   * `file_search_path`), so `data.query` can name files relative to the spec file.
   */
  readonly fileSearchPath?: string;
}

/** One row of a result, with DuckDB values converted to JS (BIGINT → bigint, TIMESTAMP → Date). */
export type Row = Record<string, JS>;

/** An open in-memory DuckDB database. Close it with {@link DataEngine.close}. */
export class DataEngine {
  private constructor(private readonly instance: DuckDBInstance) {}

  /** Opens an in-memory database with bounded threads and memory. */
  static async open(options: DataEngineOptions = {}): Promise<DataEngine> {
    const threads = options.threads ?? Math.min(2, availableParallelism());
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(threads),
      memory_limit: options.memoryLimit ?? '2GB',
      temp_directory: options.tempDirectory ?? path.join(tmpdir(), 'mlops-duckdb'),
      // No internet on workers: fail fast instead of trying to download extensions.
      autoinstall_known_extensions: 'false',
    });
    return new DataEngine(instance);
  }

  /** Runs statements whose result is not needed (COPY, CREATE, SET). */
  async run(sql: string, options?: QueryOptions): Promise<void> {
    await this.withConnection((conn) => conn.run(sql), options);
  }

  /** Runs a query and returns its rows; for small results only (summaries, DESCRIBE). */
  async rows(sql: string, options?: QueryOptions): Promise<Row[]> {
    return this.withConnection(async (conn) => (await conn.runAndReadAll(sql)).getRowObjectsJS(), options);
  }

  /** Runs a query and returns its result column-major, keyed by column name. */
  async columns(sql: string, options?: QueryOptions): Promise<Record<string, JS[]>> {
    return this.withConnection(async (conn) => (await conn.runAndReadAll(sql)).getColumnsObjectJS(), options);
  }

  /** The columns (name and DuckDB type) a query or relation would produce, without running it. */
  async describe(query: string, options?: QueryOptions): Promise<ColumnInfo[]> {
    const rows = await this.rows(`DESCRIBE ${query}`, options);
    return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
  }

  /** Releases the database. The engine cannot be used afterwards. */
  close(): void {
    this.instance.closeSync();
  }

  /**
   * Runs `fn` with a connection of its own, closed afterwards: the escape hatch for appenders,
   * prepared statements and multi-statement work. Regular (not TEMP) tables created here stay
   * visible to later queries on this engine; TEMP ones vanish with the connection.
   */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>, options: QueryOptions = {}): Promise<T> {
    const conn = await this.instance.connect();
    try {
      // Session-local, so concurrent queries with different folders do not interfere.
      if (options.fileSearchPath !== undefined) await conn.run(`SET file_search_path = ${quoteLiteral(options.fileSearchPath)}`);
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  }
}

/**
 * Runs `fn` with `engine` when one is given (a shared, injected engine), otherwise with a
 * fresh engine that is closed afterwards.
 */
export async function withEngine<T>(engine: DataEngine | undefined, fn: (engine: DataEngine) => Promise<T>): Promise<T> {
  if (engine) return fn(engine);
  const own = await DataEngine.open();
  try {
    return await fn(own);
  } finally {
    own.close();
  }
}

/** Quotes an identifier for SQL: `Body Mass "g"` → `"Body Mass ""g"""`. Any characters are safe. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for SQL: `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL list literal of strings, e.g. for the file list of `read_parquet([...])`. */
export function quoteList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

/**
 * DuckDB's error message as one line: the first paragraph, without the SQL excerpt and the
 * "Possible fixes" advice (which names DuckDB options our users cannot set).
 */
export function duckdbReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const firstParagraph = message.split(/\n\s*\n/)[0] ?? message;
  const lines = firstParagraph
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(LINE \d+:|Possible (fixes|Solution))/.test(l) && !l.startsWith('^') && !l.startsWith('* '));
  return lines.join('; ');
}
