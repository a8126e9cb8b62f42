/**
 * A small wrapper around an in-memory DuckDB instance: the data layer's only door to SQL.
 * Every query runs on its own short-lived connection, so one engine can be shared by
 * concurrent activities without interleaving statements on a connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type JS } from '@duckdb/node-api';
import { MlopsError } from '../errors.js';
import { dataAccessFrom, engineFolders, type DataAccess } from './data-access.js';
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
  /** Where DuckDB spills; defaults to a private folder under the OS temp dir, removed on close. */
  readonly tempDirectory?: string;
  /**
   * What the engine may read (and where it writes snapshots): default `MLOPS_DATA_ROOTS` of the
   * process environment (src/data/data-access.ts). The engine is locked to these folders.
   */
  readonly access?: DataAccess;
}

/**
 * Per-query settings. None today: the engine's configuration is locked, and `data.query` names
 * its files with absolute paths once it is checked (./data-query.ts).
 */
export type QueryOptions = Readonly<Record<string, never>>;

/** One row of a result, with DuckDB values converted to JS (BIGINT → bigint, TIMESTAMP → Date). */
export type Row = Record<string, JS>;

/** An open in-memory DuckDB database. Close it with {@link DataEngine.close}. */
export class DataEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    /** What this engine may read; readers check paths against it before DuckDB sees them. */
    readonly access: DataAccess,
    /** A private folder for files the engine writes (snapshots before they are stored); removed on close. */
    readonly scratchDir: string,
  ) {}

  /**
   * Opens an in-memory database with bounded threads and memory, locked down: it reads and
   * writes only the data roots, the artifact store and its scratch folder
   * (`allowed_directories`, `enable_external_access = false`), loads no extension
   * (`autoinstall`/`autoload_known_extensions = false`) and no statement can change that
   * (`lock_configuration = true`). With `MLOPS_DATA_ROOTS=*` the folder restriction is lifted;
   * the rest stays.
   */
  static async open(options: DataEngineOptions = {}): Promise<DataEngine> {
    const threads = options.threads ?? Math.min(2, availableParallelism());
    const access = options.access ?? dataAccessFrom();
    const scratchDir = mkdtempSync(path.join(tmpdir(), 'mlops-duckdb-'));
    const tempDirectory = options.tempDirectory ?? path.join(scratchDir, 'spill');
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(threads),
      memory_limit: options.memoryLimit ?? '2GB',
      temp_directory: tempDirectory,
      // No internet on workers, and no code from elsewhere: never download or load extensions.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    try {
      const conn = await instance.connect();
      try {
        // allowed_directories has no form DuckDBInstance.create accepts; set it, then lock.
        if (!access.unrestricted) {
          const folders = [...engineFolders(access), scratchDir, tempDirectory].map((f) => (f.endsWith(path.sep) ? f : f + path.sep));
          await conn.run(`SET allowed_directories = [${folders.map(quoteLiteral).join(', ')}]`);
          await conn.run('SET enable_external_access = false');
        }
        await conn.run('SET lock_configuration = true');
      } finally {
        conn.closeSync();
      }
    } catch (err) {
      instance.closeSync();
      rmSync(scratchDir, { recursive: true, force: true });
      throw err;
    }
    return new DataEngine(instance, access, scratchDir);
  }

  /** Runs one statement whose result is not needed (COPY, CREATE). */
  async run(sql: string, options?: QueryOptions): Promise<void> {
    await this.withConnection(async (conn) => conn.run(await oneStatement(conn, sql)), options);
  }

  /** Runs one query and returns its rows; for small results only (summaries, DESCRIBE). */
  async rows(sql: string, options?: QueryOptions): Promise<Row[]> {
    return this.withConnection(async (conn) => (await conn.runAndReadAll(await oneStatement(conn, sql))).getRowObjectsJS(), options);
  }

  /** Runs one query and returns its result column-major, keyed by column name. */
  async columns(sql: string, options?: QueryOptions): Promise<Record<string, JS[]>> {
    return this.withConnection(async (conn) => (await conn.runAndReadAll(await oneStatement(conn, sql))).getColumnsObjectJS(), options);
  }

  /** The columns (name and DuckDB type) a query or relation would produce, without running it. */
  async describe(query: string, options?: QueryOptions): Promise<ColumnInfo[]> {
    const rows = await this.rows(`DESCRIBE ${query}`, options);
    return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
  }

  /** Releases the database and its scratch folder. The engine cannot be used afterwards. */
  close(): void {
    this.instance.closeSync();
    rmSync(this.scratchDir, { recursive: true, force: true });
  }

  /**
   * Runs `fn` with a connection of its own, closed afterwards: the escape hatch for appenders,
   * prepared statements and multi-statement work. Regular (not TEMP) tables created here stay
   * visible to later queries on this engine; TEMP ones vanish with the connection.
   */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>, _options?: QueryOptions): Promise<T> {
    const conn = await this.instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  }
}

/**
 * `sql` when it holds exactly one statement (DuckDB's own statement extraction): a string spliced
 * into SQL can never smuggle a second statement (`…); COPY … TO …; SELECT (…`) past the engine.
 */
async function oneStatement(conn: DuckDBConnection, sql: string): Promise<string> {
  const { count } = await conn.extractStatements(sql);
  if (count !== 1) throw new MlopsError('DataInvalid', `expected one SQL statement, got ${count}; data.query must be a single SELECT`);
  return sql;
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
