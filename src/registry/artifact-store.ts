/**
 * Content-addressed artifact store. Workflows only ever see an {@link ArtifactRef}
 * (URI + hash + size), never the bytes. The filesystem implementation keeps files under
 * `<root>/<first two hex chars>/<sha256><ext>` and verifies the hash on read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MlopsError } from '../errors.js';
import { tempPathFor, writeFileAtomic } from '../fs/atomic-write.js';

/** A reference to an immutable artifact; small enough for a Temporal payload. */
export interface ArtifactRef {
  /** Where the bytes live, e.g. `file:///…/ab/ab12….parquet`. */
  readonly uri: string;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * What every artifact store offers. Artifacts are immutable and named by their SHA-256, so
 * any store is a cache of the others and a reference stays valid wherever the bytes move.
 *
 * An object store implements the same four methods, with URIs like
 * `s3://bucket/prefix/ab/ab12….parquet` ({@link S3ArtifactStore} in s3-artifact-store.ts):
 * - `putFile`/`putBytes` hash the content first, skip the upload when the key already holds it
 *   (a HEAD request), and otherwise upload with the SHA-256 as a checksum
 *   (`x-amz-checksum-sha256`, plus `Content-MD5`), so a torn upload is never visible under the
 *   final key;
 * - `readBytes` downloads and verifies the hash before returning;
 * - `localPath` downloads once into a local cache directory keyed by hash (DuckDB and the
 *   trainer want files), verifying the hash, and returns the cached path afterwards.
 * Credentials come from the SDK's default chain (environment, instance role); nothing about
 * them goes into a reference.
 */
export interface ArtifactStore {
  /** Stores a copy of a local file; `ext` (like `.parquet`) is kept for tools that sniff it. */
  putFile(file: string, ext: string): Promise<ArtifactRef>;
  /** Stores bytes (or a string as UTF-8). */
  putBytes(data: string | Uint8Array, ext: string): Promise<ArtifactRef>;
  /** A local path holding the verified content (for DuckDB and friends). */
  localPath(ref: ArtifactRef): Promise<string>;
  /** The verified content. */
  readBytes(ref: ArtifactRef): Promise<Buffer>;
  /**
   * Whether `uri` names a file of this store (its folder or bucket prefix): `data.snapshot` is
   * read only from the store. Stores without it are checked against MLOPS_DATA_ROOTS' store folders.
   */
  contains?(uri: string): boolean;
  /** Releases what the store holds open (the S3 store's sockets); optional. */
  close?(): void | Promise<void>;
}

/** The artifact store in a local folder: content-addressed files, written atomically. */
export class FileArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  async putFile(file: string, ext: string): Promise<ArtifactRef> {
    const { sha256, bytes } = await hashFile(file);
    const dest = this.pathFor(sha256, ext);
    if (!(await exists(dest))) {
      await mkdir(path.dirname(dest), { recursive: true });
      const tmp = tempPathFor(dest);
      try {
        await copyFile(file, tmp);
        await rename(tmp, dest);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    }
    return { uri: pathToFileURL(dest).href, sha256, bytes };
  }

  async putBytes(data: string | Uint8Array, ext: string): Promise<ArtifactRef> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const sha256 = createHash('sha256').update(buf).digest('hex');
    const dest = this.pathFor(sha256, ext);
    if (!(await exists(dest))) await writeFileAtomic(dest, buf);
    return { uri: pathToFileURL(dest).href, sha256, bytes: buf.byteLength };
  }

  async localPath(ref: ArtifactRef): Promise<string> {
    const file = fileOf(ref);
    // A reference says how many bytes it holds: anything else (a device, a grown file) is not it, and is not read.
    const info = await stat(file).catch(() => {
      throw missingArtifact(ref);
    });
    if (!info.isFile() || info.size !== ref.bytes) throw modifiedArtifact(ref);
    const { sha256 } = await hashFile(file, ref.bytes).catch(() => {
      throw missingArtifact(ref);
    });
    if (sha256 !== ref.sha256) throw modifiedArtifact(ref);
    return file;
  }

  async readBytes(ref: ArtifactRef): Promise<Buffer> {
    const file = fileOf(ref);
    const info = await stat(file).catch(() => {
      throw missingArtifact(ref);
    });
    if (!info.isFile() || info.size !== ref.bytes) throw modifiedArtifact(ref);
    const buf = await readFile(file).catch(() => {
      throw missingArtifact(ref);
    });
    if (createHash('sha256').update(buf).digest('hex') !== ref.sha256) throw modifiedArtifact(ref);
    return buf;
  }

  contains(uri: string): boolean {
    if (!uri.startsWith('file:')) return false;
    try {
      const relative = path.relative(path.resolve(this.root), fileURLToPath(uri));
      return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    } catch {
      return false;
    }
  }

  private pathFor(sha256: string, ext: string): string {
    return path.join(this.root, sha256.slice(0, 2), `${sha256}${ext}`);
  }
}

/** The local file of a `file:` reference; other schemes need another store. */
function fileOf(ref: ArtifactRef): string {
  if (!ref.uri.startsWith('file:')) {
    throw new MlopsError('ArtifactCorrupt', `artifact ${ref.uri} is not a local file; this store reads file: URIs only (configure the store that wrote it)`);
  }
  return fileURLToPath(ref.uri);
}

/** The error for a reference whose bytes are gone (shared by every store). */
export function missingArtifact(ref: ArtifactRef): MlopsError {
  return new MlopsError('ArtifactCorrupt', `artifact ${ref.uri} is missing; re-run the step that produced it`);
}

/** The error for bytes that do not match their reference's hash (shared by every store). */
export function modifiedArtifact(ref: ArtifactRef): MlopsError {
  return new MlopsError('ArtifactCorrupt', `artifact ${ref.uri} does not match its hash ${ref.sha256}; it was modified after it was written`);
}

/** SHA-256 and size of a file; with `maxBytes`, reading stops after that many bytes. */
export async function hashFile(file: string, maxBytes?: number): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = maxBytes === undefined ? createReadStream(file) : maxBytes === 0 ? [] : createReadStream(file, { end: maxBytes - 1 });
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
