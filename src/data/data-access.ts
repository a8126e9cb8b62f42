/**
 * Where workers and the CLI may read data from (`MLOPS_DATA_ROOTS`): the one check every data
 * reader (data.source, data.query, data.schema, data.snapshot, `--data`, `--reference`,
 * `--current`) goes through before it reads a byte, and the folders the DuckDB engine is locked
 * to. Anyone who can start a workflow chooses these paths, so nothing outside the roots is read.
 *
 * - `MLOPS_DATA_ROOTS`: comma-separated folders and `s3://bucket/prefix` prefixes; `*` allows
 *   everything. Default: the working directory and `MLOPS_HOME`.
 * - The artifact store (`MLOPS_ARTIFACTS`, `<MLOPS_HOME>/cache`) is always readable by the
 *   engine: snapshots and shipped inference logs live there, and are read only through it.
 *
 * Paths are compared after resolving symbolic links, so a link inside a root that points out of
 * it is refused too.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlopsError } from '../errors.js';

/** What may be read; build it with {@link dataAccessFrom}. */
export interface DataAccess {
  /** `MLOPS_DATA_ROOTS=*`: no restriction. */
  readonly unrestricted: boolean;
  /** Absolute folders data may be read from. */
  readonly folders: readonly string[];
  /** `s3://bucket/prefix/` prefixes data may be read from (always ending in `/`). */
  readonly prefixes: readonly string[];
  /** The artifact store's local folders (file store, cache of a remote store): read through the store only. */
  readonly storeFolders: readonly string[];
  /** The artifact store's `s3://bucket/prefix/` when it is remote. */
  readonly storePrefix?: string;
}

/** The variable users set; named in every refusal. */
export const dataRootsVariable = 'MLOPS_DATA_ROOTS';

/** Reads `MLOPS_DATA_ROOTS` (and where `MLOPS_HOME` / `MLOPS_ARTIFACTS` put the store) from `env`. */
export function dataAccessFrom(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DataAccess {
  const home = path.resolve(cwd, env.MLOPS_HOME || '.mlops');
  const artifacts = env.MLOPS_ARTIFACTS?.trim() ?? '';
  const remoteStore = /^s3:\/\//i.test(artifacts) ? withSlash(artifacts) : undefined;
  const storeFolders = [remoteStore || artifacts === '' ? path.join(home, 'artifacts') : path.resolve(cwd, artifacts), path.join(home, 'cache')];
  const text = env[dataRootsVariable]?.trim();
  const entries = text ? text.split(',').map((e) => e.trim()).filter((e) => e !== '') : [cwd, home];
  if (entries.includes('*')) return Object.freeze({ unrestricted: true, folders: [], prefixes: [], storeFolders, storePrefix: remoteStore });
  const folders: string[] = [];
  const prefixes: string[] = [];
  for (const entry of entries) {
    if (/^s3:\/\/[^/]+/i.test(entry)) prefixes.push(withSlash(entry));
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
      throw new MlopsError('UsageError', `${dataRootsVariable} holds "${entry}": give folders and s3://bucket/prefix entries, comma-separated (or * for everything)`);
    } else folders.push(path.resolve(cwd, entry));
  }
  return Object.freeze({ unrestricted: false, folders, prefixes, storeFolders, storePrefix: remoteStore });
}

/** A refusal: non-retryable, naming what was asked for and the variable that would allow it. */
export function accessDenied(target: string, what: string, access?: DataAccess): MlopsError {
  const roots = access ? [...access.folders, ...access.prefixes].join(', ') || '(none)' : `see ${dataRootsVariable}`;
  return new MlopsError(
    'DataAccessDenied',
    `${what} ${target} is outside the data roots (${roots}); move the data under one of them or add its folder to ${dataRootsVariable} on the worker and the CLI`,
    { target },
  );
}

/**
 * Throws DataAccessDenied unless `file` (absolute, or a glob whose folder part is checked) lies
 * in a data root or the artifact store's folders. `what` names the field in the message, e.g. `data.source`.
 */
export async function checkDataPath(access: DataAccess, file: string, what: string): Promise<void> {
  if (access.unrestricted) return;
  const real = await realLocation(staticPart(path.resolve(file)));
  for (const folder of [...access.folders, ...access.storeFolders]) {
    if (isWithin(real, await realLocation(folder))) return;
  }
  throw accessDenied(file, what, access);
}

/**
 * Throws DataAccessDenied unless `uri` (a `data.snapshot`) names a content-addressed file of
 * the artifact store (`…/<2 hex>/<sha256>.parquet` in the store's folder or bucket prefix) with
 * the hash it claims (`inStore`: the reading store's own test, else MLOPS_DATA_ROOTS' store
 * folders). Snapshots are read only through the store, which checks size and hash.
 */
export async function checkSnapshotUri(access: DataAccess, uri: string, sha256: string, inStore?: (uri: string) => boolean): Promise<void> {
  const denied = () => accessDenied(uri, 'data.snapshot', access);
  const suffix = `/${sha256.slice(0, 2)}/${sha256}.parquet`;
  if (!uri.endsWith(suffix) || uri.includes('/../')) throw denied();
  // The store that reads it knows its own files best.
  if (inStore) {
    if (inStore(uri)) return;
    throw denied();
  }
  if (/^s3:\/\//i.test(uri)) {
    if (access.storePrefix && uri.startsWith(access.storePrefix)) return;
    throw denied();
  }
  if (!uri.startsWith('file:')) throw denied();
  let file: string;
  try {
    file = fileURLToPath(uri);
  } catch {
    throw denied();
  }
  const real = await realLocation(file);
  for (const folder of access.storeFolders) {
    if (isWithin(real, await realLocation(folder))) return;
  }
  throw denied();
}

/** The folders the DuckDB engine may touch: the data roots and the artifact store's folders. */
export function engineFolders(access: DataAccess): string[] {
  return [...access.folders, ...access.storeFolders];
}

/** Throws DataAccessDenied unless `file` is a regular file (not a device, FIFO or folder). */
export async function requireRegularFile(file: string, what: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info && !info.isFile() && !info.isDirectory()) {
    throw new MlopsError('DataAccessDenied', `${what} ${file} is not a regular file (a device, socket or pipe); point it at a data file`, { target: file });
  }
}

/** The part of a path before its first glob character, so a glob is checked by its folder. */
function staticPart(p: string): string {
  const at = p.search(/[*?[{]/);
  return at < 0 ? p : path.dirname(p.slice(0, at) + 'x');
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
async function realLocation(p: string): Promise<string> {
  const rest: string[] = [];
  let current = path.resolve(p);
  for (;;) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...rest.reverse());
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

function isWithin(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function withSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
