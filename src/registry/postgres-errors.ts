/**
 * What a PostgreSQL failure means to a user of the registry, decided in one place. An
 * unreachable, restarting or overloaded server is `RegistryUnavailable` (retryable: the
 * activity runs again once PostgreSQL is back); a wrong user or password, a missing database
 * or missing privileges is a `UsageError` saying what to fix in `MLOPS_REGISTRY`. Messages
 * name host, port and database, never the password.
 */
import pg from 'pg';
import { MlopsError } from '../errors.js';

/** SQLSTATEs (and classes) that mean "the server is not there right now". */
const unavailableStates = ['57P01', '57P02', '57P03', '53300'];
/** Socket errors of a connection that failed or died. */
const unavailableCodes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT'];
/** pg's own messages for connections that never opened or were cut, which carry no code. */
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|Client was closed/i;

/**
 * `host:port/database` of a postgres:// URL, without user or password, for messages. Parsed
 * by pg itself (a client that is never connected), so it names what the pool connects to.
 */
export function describeDatabase(url: string): string {
  const { host, port, database, user } = new pg.Client({ connectionString: url });
  return `${host}:${port}/${database ?? user ?? 'postgres'}`;
}

/**
 * The error to throw for `err`, raised while talking to the registry database described by
 * `where` ({@link describeDatabase}). Errors that are not about the database (an MlopsError
 * thrown by a registry rule, a bug) come back unchanged.
 */
export function registryError(err: unknown, where: string): unknown {
  if (!(err instanceof Error) || err instanceof MlopsError) return err;
  const code = (err as { code?: unknown }).code;
  const state = typeof code === 'string' ? code : '';
  const cause = err.message || state || err.name;
  if (unavailableStates.includes(state) || state.startsWith('08') || unavailableCodes.includes(state) || (!state && unavailableMessages.test(err.message))) {
    return new MlopsError('RegistryUnavailable', `cannot reach the registry database at ${where} (${cause}); check MLOPS_REGISTRY and that PostgreSQL is up`, { database: where, code: state || undefined });
  }
  if (state === '28P01' || state === '28000') {
    return new MlopsError('UsageError', `the registry database at ${where} refused the login (${cause}); fix the user and password in MLOPS_REGISTRY (postgres://user:password@host:port/database)`, { database: where });
  }
  if (state === '3D000') {
    const database = where.slice(where.indexOf('/') + 1);
    return new MlopsError('UsageError', `the registry database at ${where} does not exist; create it ("createdb ${database}" on that server) or fix the database name in MLOPS_REGISTRY`, { database: where });
  }
  if (state === '42501') {
    return new MlopsError('UsageError', `the registry user may not use the registry tables at ${where} (${cause}); grant it CREATE on the schema (or create the tables once as their owner) and SELECT/INSERT/UPDATE on mlops_models and mlops_inference_segments`, { database: where });
  }
  if (state === '40001' || state === '40P01') {
    return new MlopsError('RegistryConflict', `a concurrent registry write at ${where} conflicted with this one (${cause}); retrying it is safe`, { database: where });
  }
  return err;
}
