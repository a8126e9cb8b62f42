/**
 * What lineage records about a command's code: a SHA-256 over the program files its argv
 * names. Every argument that names an existing regular file inside the spec's folder counts
 * (`train.py` in `[python3, train.py]`, `./train.sh`, `src/fit.R`); interpreters on PATH,
 * flags and values do not. Each file contributes its relative path and its content, in argv
 * order, so renaming a file or editing it changes the hash. Modules the program imports are
 * not followed: pin them by naming them, or by the commit the lineage's code version records.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The lineage entry of a command's program. */
export interface ProgramHash {
  /** Hex SHA-256 over the files (path and content of each); of nothing when `files` is empty. */
  readonly sha256: string;
  /** The files hashed, relative to the spec's folder, in argv order. */
  readonly files: readonly string[];
}

/** Hashes the files `argv` names inside `folder`. */
export async function programHash(argv: readonly string[], folder: string): Promise<ProgramHash> {
  const root = path.resolve(folder);
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const arg of argv) {
    if (arg === '' || arg.startsWith('-')) continue;
    const file = path.resolve(root, arg);
    const rel = path.relative(root, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || files.includes(rel)) continue;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const content = await readFile(file);
    // Length-prefixed, so (path, content) pairs cannot run into each other.
    hash.update(`${rel.length}:${rel}${content.length}:`).update(content);
    files.push(rel.split(path.sep).join('/'));
  }
  return { sha256: hash.digest('hex'), files };
}
