/**
 * A real S3-compatible server for tests: `rclone serve s3` over a temp folder, one bucket as a
 * sub-folder. rclone is found (RCLONE_PATH, PATH, the tool cache) or built from Go modules into
 * the cache, like the Temporal CLI (src/temporal/temporal-cli.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findGo, findOnPath, goInstallBinary, isExecutableFile, temporalMlopsCacheDir } from '../../src/temporal/temporal-cli.js';

/** The rclone release the tests run against (`serve s3` flags checked against its `--help`). */
export const RCLONE_MODULE = 'github.com/rclone/rclone';
export const RCLONE_VERSION = 'v1.72.0';

const exeName = process.platform === 'win32' ? 'rclone.exe' : 'rclone';

/** `<cache dir>/tools/rclone`, next to the cached Temporal CLI and outside any clone. */
export function cachedRclonePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(temporalMlopsCacheDir(env), 'tools', exeName);
}

/** What is there to run the S3 tests with: a binary, a Go toolchain that can build one, or neither. */
export type RcloneAvailability = { readonly kind: 'binary'; readonly path: string } | { readonly kind: 'buildable'; readonly go: string } | { readonly kind: 'none'; readonly reason: string };

/** Looks for rclone without building: RCLONE_PATH, PATH, the cache; else Go; else why neither. */
export async function rcloneAvailability(env: NodeJS.ProcessEnv = process.env): Promise<RcloneAvailability> {
  if (env.RCLONE_PATH) {
    const explicit = path.resolve(env.RCLONE_PATH);
    if (await isExecutableFile(explicit)) return { kind: 'binary', path: explicit };
    throw new Error(`RCLONE_PATH=${env.RCLONE_PATH} is not an executable file; point it at an rclone binary or unset it`);
  }
  const found = (await findOnPath(exeName, env)) ?? ((await isExecutableFile(cachedRclonePath(env))) ? cachedRclonePath(env) : undefined);
  if (found) return { kind: 'binary', path: found };
  const go = await findGo(env);
  if (go) return { kind: 'buildable', go };
  return {
    kind: 'none',
    reason: `neither rclone (RCLONE_PATH, PATH, ${cachedRclonePath(env)}) nor Go (to build it: GOBIN=${path.dirname(cachedRclonePath(env))} go install ${RCLONE_MODULE}@${RCLONE_VERSION}) is available`,
  };
}

/** The rclone binary, built into the cache with `go install` when only Go is there (minutes). */
export async function findRclone(env: NodeJS.ProcessEnv = process.env, log: (msg: string) => void = (msg) => process.stderr.write(`${msg}\n`)): Promise<string> {
  const found = await rcloneAvailability(env);
  if (found.kind === 'binary') return found.path;
  if (found.kind === 'none') throw new Error(found.reason);
  const dest = cachedRclonePath(env);
  await goInstallBinary(found.go, { module: RCLONE_MODULE, version: RCLONE_VERSION, dest, label: 'rclone' }, env, log);
  return dest;
}

/** A running `rclone serve s3`. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`, for MLOPS_S3_ENDPOINT. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The folder rclone serves; objects are files under `<dataDir>/<bucket>/<key>`. */
  readonly dataDir: string;
  /** Drops rclone's directory cache (`vfs/forget`): call it after changing `dataDir` behind its back. */
  forgetCache(): Promise<void>;
  /** Stops the server (SIGTERM, or SIGKILL for a crash); the data folder stays until `close()`. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder, for outage tests. */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Path of rclone; default: {@link findRclone}. */
  readonly rclone?: string;
  /** Default `mlops-test`. */
  readonly bucket?: string;
}

/** Starts `rclone serve s3` on a free port over a fresh temp folder holding one empty bucket. */
export async function startS3Server(opts: StartS3ServerOptions = {}): Promise<S3Server> {
  const rclone = opts.rclone ?? (await findRclone());
  const bucket = opts.bucket ?? 'mlops-test';
  const root = await mkdtemp(path.join(os.tmpdir(), 'mlops-s3-'));
  const dataDir = path.join(root, 'data');
  await mkdir(path.join(dataDir, bucket), { recursive: true });
  const accessKeyId = 'mlops-test-key';
  const secretAccessKey = 'mlops-test-secret';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const controlPort = await freePort();
  const args = [
    'serve',
    's3',
    '--auth-key',
    `${accessKeyId},${secretAccessKey}`,
    '--addr',
    `127.0.0.1:${port}`,
    // Tests change the backing folder behind rclone's back (tampering, torn objects) and then
    // say so through the remote control (`forgetCache`). Not `--dir-cache-time 0s`: in v1.72 a
    // directory holding a pending write or delete then re-arms its cleanup timer with 0 s for
    // ever, and the server spins at full CPU, stalling every request.
    '--poll-interval',
    '0',
    '--rc',
    '--rc-no-auth',
    '--rc-addr',
    `127.0.0.1:${controlPort}`,
    '--log-file',
    path.join(root, 'rclone.log'),
    dataDir,
  ];
  // An empty config file keeps the user's rclone.conf out of the tests.
  const env = { ...process.env, RCLONE_CONFIG: path.join(root, 'rclone.conf') };
  let child: ChildProcess | undefined;

  const start = async () => {
    const log = createWriteStream(path.join(root, 'rclone.out'), { flags: 'a' });
    const proc = spawn(rclone, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    child = proc;
    await waitUntilAnswering(endpoint, proc, async () => (await readFile(path.join(root, 'rclone.log'), 'utf8').catch(() => '')).slice(-2000));
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };

  await start();
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    dataDir,
    stop,
    async forgetCache() {
      const res = await fetch(`http://127.0.0.1:${controlPort}/vfs/forget`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`rclone vfs/forget answered HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    },
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the server answers any HTTP request (anonymous requests get 403, which is fine). */
async function waitUntilAnswering(endpoint: string, proc: ChildProcess, logTail: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`rclone serve s3 exited (${proc.exitCode ?? proc.signalCode}) before answering on ${endpoint}: ${await logTail()}`);
    }
    const answered = await fetch(endpoint, { signal: AbortSignal.timeout(1_000) }).then(
      async (res) => {
        await res.arrayBuffer();
        return true;
      },
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`rclone serve s3 did not answer on ${endpoint} within 30 s: ${await logTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
