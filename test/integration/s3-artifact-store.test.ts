/**
 * The S3 artifact store against a real S3 server (`rclone serve s3`, started here): round trips,
 * dedupe, the verified read cache, tampering, an outage and restart, bad bucket and credentials,
 * and the ingest activity writing on one host and reading on another.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestActivity } from '../../activities/ingest.js';
import { loadConfig } from '../../src/config.js';
import { DataEngine, quoteLiteral } from '../../src/data/engine.js';
import type { DatasetRef } from '../../src/data/types.js';
import { MlopsError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { FileArtifactStore, type ArtifactRef } from '../../src/registry/artifact-store.js';
import { S3ArtifactStore } from '../../src/registry/s3-artifact-store.js';
import { pipelineSpecSchema } from '../../src/spec/schema.js';
import { activityDepsFor } from '../../src/temporal/plugin.js';
import { findRclone, rcloneAvailability, startS3Server, type S3Server } from '../services/s3-server.js';

// Skips only when neither rclone nor Go is there; a failing build or server still fails.
const availability = await rcloneAvailability();
if (availability.kind === 'none') console.warn(`Skipping the S3 artifact store tests: ${availability.reason}`);

// CI builds rclone (.ci/run): there a missing server is a failure, never a skip.
describe.skipIf(availability.kind === 'none' && !process.env.CI)('S3ArtifactStore on rclone serve s3', () => {
  let server: S3Server;
  const dirs: string[] = [];
  const stores: S3ArtifactStore[] = [];

  beforeAll(async () => {
    server = await startS3Server({ rclone: await findRclone() });
  }, 20 * 60_000);
  afterAll(async () => {
    await server?.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-s3-test-'));
    dirs.push(dir);
    return dir;
  }

  /** A store on the test server; each test gets its own prefix so tests never see each other's objects. */
  async function openStore(overrides: Partial<ConstructorParameters<typeof S3ArtifactStore>[0]> = {}): Promise<S3ArtifactStore> {
    const store = new S3ArtifactStore({
      bucket: server.bucket,
      prefix: `t/${expect.getState().currentTestName?.replace(/[^a-z0-9]+/gi, '-')}`,
      endpoint: server.endpoint,
      cacheDir: await tempDir(),
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      ...overrides,
    });
    stores.push(store);
    return store;
  }

  /** Where rclone keeps the object of `ref` on disk. */
  function backingFile(ref: ArtifactRef): string {
    const key = ref.uri.replace(`s3://${server.bucket}/`, '');
    return path.join(server.dataDir, server.bucket, ...key.split('/'));
  }

  /** Counts the requests of one kind (`PutObjectCommand`, …) the store's client sends from now on. */
  function countRequests(store: S3ArtifactStore, command: string): () => number {
    let sent = 0;
    store.client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === command) sent++;
        return next(args);
      },
      { step: 'initialize' },
    );
    return () => sent;
  }

  async function failure(promise: Promise<unknown>): Promise<MlopsError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MlopsError);
    return err as MlopsError;
  }

  const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

  it('round-trips bytes and files under content-addressed keys, keeping the extension', async () => {
    const store = await openStore();
    const ref = await store.putBytes('{"a":1}', '.json');
    expect(ref).toEqual({ uri: `s3://${server.bucket}/${store.prefix}/${sha256('{"a":1}').slice(0, 2)}/${sha256('{"a":1}')}.json`, sha256: sha256('{"a":1}'), bytes: 7 });
    expect((await store.readBytes(ref)).toString()).toBe('{"a":1}');
    expect(await readFile(backingFile(ref), 'utf8')).toBe('{"a":1}');

    // A file read and uploaded as a stream (never whole in memory on our side), larger than
    // rclone's 100 KiB streaming-upload cutoff so the server streams it too.
    const dir = await tempDir();
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 'abc');
    await writeFile(path.join(dir, 'big.bin'), content);
    const fileRef = await store.putFile(path.join(dir, 'big.bin'), '.tar.gz');
    expect(fileRef.uri).toMatch(/\.tar\.gz$/);
    expect(fileRef).toMatchObject({ sha256: sha256(content), bytes: content.byteLength });
    expect((await store.readBytes(fileRef)).equals(content)).toBe(true);
    const local = await store.localPath(fileRef);
    expect(path.basename(local)).toBe(`${fileRef.sha256}.tar.gz`);
    expect((await readFile(local)).equals(content)).toBe(true);
  });

  it('does not upload content the bucket already holds', async () => {
    const store = await openStore();
    const puts = countRequests(store, 'PutObjectCommand');
    const first = await store.putBytes('same content', '.txt');
    const dir = await tempDir();
    await writeFile(path.join(dir, 'same.txt'), 'same content');
    const second = await store.putFile(path.join(dir, 'same.txt'), '.txt');
    const third = await store.putBytes('same content', '.txt');
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(puts()).toBe(1);
    await store.putBytes('other content', '.txt');
    expect(puts()).toBe(2);
  });

  it('never shows a body damaged in transit under the key', async () => {
    const store = await openStore();
    // Flip one byte of the request body after the store computed its checksums.
    store.client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body?: unknown };
        if (request.body instanceof Uint8Array) request.body = Buffer.from(request.body).map((b, i) => (i === 0 ? b ^ 1 : b));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'damageBody' },
    );
    const content = 'damaged on the way';
    const err = await store.putBytes(content, '.txt').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(new RegExp(`^the artifact store s3://${server.bucket}/${store.prefix} at ${server.endpoint} failed: BadDigest \\(HTTP 400\\)`));
    const key = `${store.prefix}/${sha256(content).slice(0, 2)}/${sha256(content)}.txt`;
    await expect(stat(path.join(server.dataDir, server.bucket, ...key.split('/')))).rejects.toThrow(/ENOENT/);

    store.client.middlewareStack.remove('damageBody');
    const ref = await store.putBytes(content, '.txt');
    expect((await store.readBytes(ref)).toString()).toBe(content);
  });

  it('re-uploads over a torn object that a crashed server left under the key', async () => {
    const store = await openStore();
    const ref = await store.putBytes('0123456789'.repeat(1000), '.bin');
    // The crash: the server dies with the object half written and starts again. (Shrinking a
    // file under a running rclone makes it spin on reads of the length it remembers.)
    await server.stop('SIGKILL');
    await truncate(backingFile(ref), 1234);
    await server.restart();
    const puts = countRequests(store, 'PutObjectCommand');
    expect(await store.putBytes('0123456789'.repeat(1000), '.bin')).toEqual(ref);
    expect(puts()).toBe(1);
    expect((await stat(backingFile(ref))).size).toBe(10_000);
    expect(sha256(await store.readBytes(ref))).toBe(ref.sha256);
  });

  it('downloads once into the local cache and downloads again when the cached copy was damaged', async () => {
    const cacheDir = await tempDir();
    const store = await openStore({ cacheDir });
    const ref = await store.putBytes('cached content', '.csv');
    const gets = countRequests(store, 'GetObjectCommand');
    const local = await store.localPath(ref);
    expect(local).toBe(path.join(cacheDir, 'artifacts', ref.sha256.slice(0, 2), `${ref.sha256}.csv`));
    expect(await store.localPath(ref)).toBe(local);
    expect(gets()).toBe(1);
    expect(await readFile(local, 'utf8')).toBe('cached content');

    // Same size, different bytes: only a hash check notices.
    await writeFile(local, 'CACHED content');
    expect(await store.localPath(ref)).toBe(local);
    expect(gets()).toBe(2);
    expect(await readFile(local, 'utf8')).toBe('cached content');
    expect((await readdir(path.dirname(local))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an object tampered with in the bucket, and a missing one, as ArtifactCorrupt', async () => {
    const cacheDir = await tempDir();
    const store = await openStore({ cacheDir });
    const ref = await store.putBytes('trusted bytes', '.json');
    await writeFile(backingFile(ref), 'TRUSTED bytes');
    await server.forgetCache();
    const read = await failure(store.readBytes(ref));
    expect(read.type).toBe('ArtifactCorrupt');
    expect(read.message).toContain('does not match its hash');
    const cached = await failure(store.localPath(ref));
    expect(cached.type).toBe('ArtifactCorrupt');
    // Nothing unverified stays in the cache.
    expect(await readdir(path.join(cacheDir, 'artifacts', ref.sha256.slice(0, 2)))).toEqual([]);

    await rm(backingFile(ref));
    await server.forgetCache();
    const missing = await failure(store.readBytes(ref));
    expect(missing.type).toBe('ArtifactCorrupt');
    expect(missing.message).toBe(`artifact ${ref.uri} is missing; re-run the step that produced it`);
    expect((await failure(store.localPath(ref))).message).toContain('is missing');
  });

  it('reports an outage as retryable StoreUnavailable naming the endpoint; after a restart the same put succeeds', async () => {
    const store = await openStore();
    const content = 'written during an outage';
    await server.stop('SIGKILL');
    try {
      const err = await failure(store.putBytes(content, '.txt'));
      expect(err.type).toBe('StoreUnavailable');
      expect(err.retryable).toBe(true);
      expect(err.message).toContain(`cannot reach the artifact store s3://${server.bucket}/${store.prefix} at ${server.endpoint}`);
      expect(err.message).toContain('check MLOPS_S3_ENDPOINT');
      expect((await failure(store.readBytes({ uri: `s3://${server.bucket}/${store.prefix}/00/${'0'.repeat(64)}`, sha256: '0'.repeat(64), bytes: 1 }))).type).toBe('StoreUnavailable');
    } finally {
      await server.restart();
    }
    // Nothing of the failed put is visible: the prefix holds no object at all.
    await expect(readdir(path.join(server.dataDir, server.bucket, ...store.prefix.split('/')))).rejects.toThrow(/ENOENT/);
    const ref = await store.putBytes(content, '.txt');
    expect((await store.readBytes(ref)).toString()).toBe(content);
  });

  it('reports a server that dies between the HEAD and the streamed PUT as StoreUnavailable, and the retry stores the file', async () => {
    const store = await openStore();
    const dir = await tempDir();
    const file = path.join(dir, 'snapshot.parquet');
    await writeFile(file, Buffer.alloc(512 * 1024, 'snapshot'));
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') await server.stop('SIGKILL');
        return next(args);
      },
      { step: 'initialize', name: 'killServerBeforePut' },
    );
    try {
      const err = await failure(store.putFile(file, '.parquet'));
      expect(err.type).toBe('StoreUnavailable');
      expect(err.message).toContain(server.endpoint);
    } finally {
      store.client.middlewareStack.remove('killServerBeforePut');
      await server.restart();
    }
    await expect(readdir(path.join(server.dataDir, server.bucket, ...store.prefix.split('/')))).rejects.toThrow(/ENOENT/);
    const ref = await store.putFile(file, '.parquet');
    expect(sha256(await store.readBytes(ref))).toBe(sha256(await readFile(file)));
  });

  it('names a missing bucket and how to create it', async () => {
    const store = await openStore({ bucket: 'no-such-bucket' });
    const err = await failure(store.putBytes('x', '.txt'));
    expect(err.type).toBe('UsageError');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('bucket "no-such-bucket" does not exist');
    expect(err.message).toContain('aws s3 mb s3://no-such-bucket');
  });

  it('reports refused credentials as UsageError naming the variables', async () => {
    for (const credentials of [
      { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong-secret' },
      { accessKeyId: 'unknown-key', secretAccessKey: server.secretAccessKey },
    ]) {
      const store = await openStore({ credentials });
      const err = await failure(store.putBytes('x', '.txt'));
      expect(err.type).toBe('UsageError');
      expect(err.message).toContain('refused the credentials');
      expect(err.message).toContain('AWS_ACCESS_KEY_ID');
      const read = await failure(store.readBytes({ uri: `s3://${server.bucket}/x/${'0'.repeat(64)}`, sha256: '0'.repeat(64), bytes: 1 }));
      expect(read.type).toBe('UsageError');
    }
  });

  it('reads a file: reference of this host, and says why one from another host cannot be read', async () => {
    const store = await openStore();
    const fileRef = await new FileArtifactStore(await tempDir()).putBytes('local bytes', '.txt');
    expect((await store.readBytes(fileRef)).toString()).toBe('local bytes');
    expect(await readFile(await store.localPath(fileRef), 'utf8')).toBe('local bytes');
    const elsewhere = { ...fileRef, uri: pathToFileURL('/nonexistent/host-a/artifacts/ab/x.txt').href };
    const err = await failure(store.readBytes(elsewhere));
    expect(err.type).toBe('ArtifactCorrupt');
    expect(err.message).toContain('this host does not have it');
  });

  it('carries an ingested snapshot from the worker of one host to another host through the bucket', async () => {
    const [hostA, hostB] = [await tempDir(), await tempDir()];
    vi.stubEnv('AWS_ACCESS_KEY_ID', server.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', server.secretAccessKey);
    try {
      const hostConfig = (home: string) => loadConfig({ MLOPS_HOME: home, MLOPS_ARTIFACTS: `s3://${server.bucket}/hosts`, MLOPS_S3_ENDPOINT: server.endpoint });
      const deps = activityDepsFor({ config: hostConfig(hostA), baseDir: hostA, logger: createLogger('test', 'warn') });
      stores.push(deps.store as S3ArtifactStore);
      await writeFile(path.join(hostA, 'trips.csv'), 'distance,zone,minutes\n1.5,a,7\n3.0,b,12\n0.5,a,3\n');
      const spec = pipelineSpecSchema.parse({
        name: 'trips',
        task: 'regression',
        data: { source: 'trips.csv', target: 'minutes', features: [{ name: 'distance', type: 'numeric' }, { name: 'zone', type: 'categorical' }] },
      });
      const dataset = (await new MockActivityEnvironment().run(ingestActivity(deps), spec)) as DatasetRef;
      expect(dataset.uri).toMatch(new RegExp(`^s3://${server.bucket}/hosts/[0-9a-f]{2}/[0-9a-f]{64}\\.parquet$`));
      expect(dataset.rows).toBe(3);

      const storeB = new S3ArtifactStore({ bucket: server.bucket, prefix: 'hosts', endpoint: server.endpoint, cacheDir: hostConfig(hostB).cacheDir });
      stores.push(storeB);
      const local = await storeB.localPath(dataset);
      expect(local.startsWith(path.join(hostB, 'cache', 'artifacts'))).toBe(true);
      const engine = await DataEngine.open({ threads: 1 });
      try {
        expect(await engine.rows(`SELECT * FROM read_parquet(${quoteLiteral(local)}) ORDER BY distance`)).toEqual([
          { minutes: 3n, distance: 0.5, zone: 'a' },
          { minutes: 7n, distance: 1.5, zone: 'a' },
          { minutes: 12n, distance: 3, zone: 'b' },
        ]);
      } finally {
        engine.close();
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
