/**
 * The artifact store on any S3-compatible service (AWS S3, MinIO, R2, Ceph, `rclone serve s3`),
 * for hosts that share no disk. Same contract as the file store: content-addressed keys
 * `<prefix>/<first two hex chars>/<sha256><ext>`, every read verified against the hash.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { MlopsError } from '../errors.js';
import { tempPathFor } from '../fs/atomic-write.js';
import { FileArtifactStore, hashFile, modifiedArtifact, type ArtifactRef, type ArtifactStore } from './artifact-store.js';
import { s3StoreError } from './s3-errors.js';

/** Options of {@link S3ArtifactStore}. */
export interface S3ArtifactStoreOptions {
  /** The bucket; it must exist (the store never creates buckets). */
  readonly bucket: string;
  /** Key prefix without leading or trailing slashes; `''` (default) stores at the bucket's root. */
  readonly prefix?: string;
  /**
   * A non-AWS endpoint (`MLOPS_S3_ENDPOINT`), like `http://minio:9000`; path-style addressing
   * is used then, which every S3-compatible server supports. Unset: AWS S3.
   */
  readonly endpoint?: string;
  /** `config.cacheDir`: downloaded artifacts are kept under `<cacheDir>/artifacts`. */
  readonly cacheDir: string;
  /** Default: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`. */
  readonly region?: string;
  /** Fixed credentials (tests, embedding); default: the SDK's chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, instance roles). */
  readonly credentials?: S3ClientConfig['credentials'];
}

/** S3's limit for one PutObject; artifacts (snapshots, model bundles) stay far below it. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/** The digests one upload needs, computed in one pass over the content. */
interface Digest {
  readonly sha256: string;
  readonly bytes: number;
  /** Base64 SHA-256 for `x-amz-checksum-sha256`. */
  readonly sha256Base64: string;
  /** Base64 MD5 for `Content-MD5`. */
  readonly md5Base64: string;
}

/**
 * {@link ArtifactStore} on an S3 bucket. References look like
 * `s3://bucket/prefix/ab/ab12….parquet` and carry no credentials.
 *
 * Uploads: the content is hashed first; a HEAD skips the upload when the key already holds it.
 * Otherwise one PutObject streams the bytes with both `x-amz-checksum-sha256` and `Content-MD5`.
 * S3 (and MinIO, R2, Ceph) verify the SHA-256 and commit the object atomically, so a torn or
 * corrupt body is never visible under the key. `rclone serve s3` (the tests' server) ignores
 * the SHA-256 header but verifies `Content-MD5` (BadDigest) and deletes a failed upload; its
 * local backend writes large objects in place, though, so a killed server can leave a short
 * file under the key. The HEAD therefore also compares the size (and the SHA-256 when the
 * server reports one) and uploads again when they differ, and every read verifies the hash.
 *
 * Reads: `readBytes` downloads and verifies. `localPath` downloads once into
 * `<cacheDir>/artifacts/ab/<sha256><ext>` (temp file, verify, rename: concurrent callers each
 * write their own temp file and the renames are atomic) and re-hashes the cached file on every
 * later call, like {@link FileArtifactStore} does for its own files: a cached copy that was
 * damaged is downloaded again instead of trusted. No fsync is needed for the same reason.
 */
export class S3ArtifactStore implements ArtifactStore {
  /** The SDK client; exposed so tests can add middleware. */
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  /** `s3://bucket/prefix`, for messages. */
  readonly url: string;
  private readonly cacheDir: string;
  private readonly endpoint: string;
  /** Reads the `file:` references a file store on this host wrote (its root is not used for reading). */
  private readonly localFiles: FileArtifactStore;

  constructor(options: S3ArtifactStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.url = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
    this.cacheDir = path.join(options.cacheDir, 'artifacts');
    this.localFiles = new FileArtifactStore(this.cacheDir);
    const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1');
    this.endpoint = options.endpoint ?? `AWS S3 (${region})`;
    this.client = new S3Client({
      region,
      endpoint: options.endpoint,
      forcePathStyle: options.endpoint !== undefined,
      credentials: options.credentials,
      // Temporal retries the activity; the SDK only rides out a blip. It never retries a
      // streamed upload (it cannot replay the stream), which the activity retry covers.
      maxAttempts: 3,
      // We send our own SHA-256 and MD5; the SDK's default CRC32 trailer (aws-chunked encoding)
      // is not understood by several S3-compatible servers, rclone's among them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Fail fast on a dead endpoint; the request timeout is for idle sockets, not total time.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
  }

  async putFile(file: string, ext: string): Promise<ArtifactRef> {
    const digest = await digestOf(createReadStream(file));
    return this.upload(digest, ext, () => createReadStream(file));
  }

  async putBytes(data: string | Uint8Array, ext: string): Promise<ArtifactRef> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return this.upload(await digestOf([buf]), ext, () => buf);
  }

  async readBytes(ref: ArtifactRef): Promise<Buffer> {
    if (ref.uri.startsWith('file:')) return this.readLocal(ref, () => this.localFiles.readBytes(ref));
    const { bucket, key } = this.locate(ref);
    const buf = await this.call({ ref }, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    });
    if (createHash('sha256').update(buf).digest('hex') !== ref.sha256) throw modifiedArtifact(ref);
    return buf;
  }

  contains(uri: string): boolean {
    return uri.startsWith(this.url.endsWith('/') ? this.url : `${this.url}/`);
  }

  async localPath(ref: ArtifactRef): Promise<string> {
    if (ref.uri.startsWith('file:')) return this.readLocal(ref, () => this.localFiles.localPath(ref));
    const { bucket, key, ext } = this.locate(ref);
    const cached = path.join(this.cacheDir, ref.sha256.slice(0, 2), `${ref.sha256}${ext}`);
    const held = await hashFile(cached).catch(() => undefined);
    if (held?.sha256 === ref.sha256) return cached;
    await mkdir(path.dirname(cached), { recursive: true });
    const tmp = tempPathFor(cached);
    try {
      const sha256 = await this.call({ ref }, async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const hash = createHash('sha256');
        await pipeline(
          out.Body as Readable,
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              hash.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(tmp),
        );
        return hash.digest('hex');
      });
      if (sha256 !== ref.sha256) throw modifiedArtifact(ref);
      await rename(tmp, cached);
      return cached;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Closes the client's sockets; the store is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }

  private async upload(digest: Digest, ext: string, body: () => Buffer | Uint8Array | Readable): Promise<ArtifactRef> {
    const key = `${this.prefix ? `${this.prefix}/` : ''}${digest.sha256.slice(0, 2)}/${digest.sha256}${ext}`;
    const ref = { uri: `s3://${this.bucket}/${key}`, sha256: digest.sha256, bytes: digest.bytes };
    if (await this.holds(key, digest)) return ref;
    if (digest.bytes > MAX_SINGLE_PUT_BYTES) {
      throw new MlopsError('UsageError', `artifact ${ref.uri} has ${digest.bytes} bytes, over the 5 GiB an S3 PutObject takes; store it in smaller parts`);
    }
    const data = body();
    try {
      await this.call({}, () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: data,
            ContentLength: digest.bytes,
            ContentMD5: digest.md5Base64,
            ChecksumSHA256: digest.sha256Base64,
            ContentType: 'application/octet-stream',
          }),
        ),
      );
    } finally {
      // A request that failed before reading the whole file leaves its stream (and fd) open.
      if (data instanceof Readable) data.destroy();
    }
    return ref;
  }

  /** Whether `key` already holds this content: present, the right size, and the right SHA-256 when the server knows it. */
  private async holds(key: string, digest: Digest): Promise<boolean> {
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' })).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw this.storeError(err);
    });
    if (!head || head.ContentLength !== digest.bytes) return false;
    const reported = head.ChecksumSHA256;
    // A multipart upload by another tool reports a checksum of part checksums ("…-3"): not comparable.
    if (reported && head.ChecksumType !== 'COMPOSITE' && !reported.includes('-')) return reported === digest.sha256Base64;
    return true;
  }

  /** Runs one S3 exchange and maps what goes wrong. */
  private async call<T>(context: { ref?: ArtifactRef }, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.storeError(err, context.ref);
    }
  }

  /** What a failure of this store means (s3-errors.ts); `ref` when reading an artifact. */
  private storeError(err: unknown, ref?: ArtifactRef): Error {
    const bucket = ref ? this.locate(ref).bucket : this.bucket;
    return s3StoreError(err, { store: this.url, bucket, endpoint: this.endpoint, ref });
  }

  /** Bucket, key and extension of an `s3:` reference, checked to name its own hash. */
  private locate(ref: ArtifactRef): { bucket: string; key: string; ext: string } {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref.uri);
    const name = match ? path.posix.basename(match[2]!) : '';
    if (!match || !/^[0-9a-f]{64}$/.test(ref.sha256) || !name.startsWith(ref.sha256)) {
      throw new MlopsError('ArtifactCorrupt', `artifact ${ref.uri} is not an s3://bucket/…/<sha256><ext> reference for hash ${ref.sha256}; this store reads s3: and local file: URIs`);
    }
    return { bucket: match[1]!, key: match[2]!, ext: name.slice(ref.sha256.length) };
  }

  /** A `file:` reference, written by a file store before this host moved to S3: readable only where the file is. */
  private async readLocal<T>(ref: ArtifactRef, read: () => Promise<T>): Promise<T> {
    const present = await stat(fileURLToPath(ref.uri)).then(
      () => true,
      () => false,
    );
    if (!present) {
      throw new MlopsError(
        'ArtifactCorrupt',
        `artifact ${ref.uri} is a local file of the host that wrote it (MLOPS_ARTIFACTS was a folder there) and this host does not have it; set MLOPS_ARTIFACTS=${this.url} on every host and re-run the step that produced it`,
      );
    }
    return read();
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** SHA-256 and MD5 of the content in one pass; a file is streamed, never held in memory. */
async function digestOf(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Digest> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let bytes = 0;
  for await (const chunk of chunks) {
    sha.update(chunk);
    md5.update(chunk);
    bytes += chunk.byteLength;
  }
  const digest = sha.digest();
  return { sha256: digest.toString('hex'), bytes, sha256Base64: digest.toString('base64'), md5Base64: md5.digest('base64') };
}
