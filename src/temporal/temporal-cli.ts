/**
 * Provisioning of the Temporal CLI (dev server + Web UI), design.md "The Temporal server on
 * these machines". A user's own binary always wins; otherwise we use a cached build, build it
 * from Go modules (no internet needed beyond the Go module proxy), or let the SDK download it.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, MlopsError } from '../errors.js';
import { createLogger } from '../logger.js';

/** The Go module built when no binary is available. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** The newest CLI release whose go.mod has no replace directive (server 1.29.1, UI 2.42.1). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const exeName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Where the binary came from, for logs and `mlops server` output. */
export type TemporalCliSource = 'env' | 'path' | 'cache' | 'go-install' | 'download';

export interface TemporalCli {
  /** Absolute path of an executable `temporal` binary. */
  readonly path: string;
  readonly source: TemporalCliSource;
}

export interface FindTemporalCliOptions {
  /** Environment to read (TEMPORAL_CLI_PATH, PATH, MLOPS_CACHE_DIR, XDG_CACHE_HOME, HOME, GOROOT). Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Progress messages (a build takes minutes). Default: the `temporal-cli` pino logger at info. */
  log?: (msg: string) => void;
  /** Build the CLI with `go install` when Go is available and nothing else was found. Default: true. */
  allowBuild?: boolean;
  /** As a last resort, let the SDK download the official binary (needs internet). Default: true. */
  allowDownload?: boolean;
}

/** The cache root: `$MLOPS_CACHE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/temporal-mlops`. Outside any clone on purpose. */
export function temporalMlopsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLOPS_CACHE_DIR) return path.resolve(env.MLOPS_CACHE_DIR);
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(path.resolve(cacheHome), 'temporal-mlops');
}

/** Where a built or downloaded CLI is kept: `<cache dir>/bin/temporal`. */
export function cachedTemporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(temporalMlopsCacheDir(env), 'bin', exeName);
}

/**
 * Finds (or provisions) the Temporal CLI. Order: `TEMPORAL_CLI_PATH`, `temporal` on PATH,
 * the cache, `go install` into the cache, the SDK's download into the cache.
 *
 * @throws MlopsError `TemporalCliUnavailable` naming every way to fix it.
 */
export async function findTemporalCli(opts: FindTemporalCliOptions = {}): Promise<TemporalCli> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? defaultLog();

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (await isExecutableFile(resolved)) return { path: resolved, source: 'env' };
    throw new MlopsError(
      'TemporalCliUnavailable',
      `TEMPORAL_CLI_PATH=${explicit} is not an executable file; point it at a temporal binary or unset it`,
      { path: resolved },
    );
  }

  const onPath = await findOnPath(exeName, env);
  if (onPath) return { path: onPath, source: 'path' };

  const cached = cachedTemporalCliPath(env);
  if (await isExecutableFile(cached)) return { path: cached, source: 'cache' };

  const failures: string[] = [];
  if (opts.allowBuild ?? true) {
    const go = await findGo(env);
    if (go) {
      try {
        await goInstallBinary(go, { module: TEMPORAL_CLI_MODULE, version: TEMPORAL_CLI_VERSION, dest: cached, label: 'the Temporal CLI' }, env, log);
        return { path: cached, source: 'go-install' };
      } catch (err) {
        failures.push(`go install failed: ${errorMessage(err)}`);
        log(`Building the Temporal CLI failed: ${errorMessage(err)}`);
      }
    } else {
      failures.push('go is not installed (not on PATH, not in $GOROOT/bin)');
    }
  }

  if (opts.allowDownload ?? true) {
    try {
      await downloadTemporalCli(cached, log);
      return { path: cached, source: 'download' };
    } catch (err) {
      failures.push(`download failed: ${errorMessage(err)}`);
    }
  }

  throw new MlopsError(
    'TemporalCliUnavailable',
    'The Temporal CLI was not found. Do one of: set TEMPORAL_CLI_PATH to a temporal binary; ' +
      'put `temporal` on PATH (https://docs.temporal.io/cli); install Go so it can be built ' +
      `(GOBIN=${path.dirname(cached)} go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}); ` +
      'or connect to an existing server with TEMPORAL_ADDRESS=host:7233.' +
      (failures.length ? ` (${failures.join('; ')})` : ''),
    { cachePath: cached, failures },
  );
}

function defaultLog(): (msg: string) => void {
  const logger = createLogger('temporal-cli');
  return (msg) => logger.info(msg);
}

/** True for an existing regular file we may execute. */
export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on the PATH of `env`. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** `go` on PATH, else `$GOROOT/bin/go` (Go's tarball install is often left off PATH). */
export async function findGo(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const goExe = process.platform === 'win32' ? 'go.exe' : 'go';
  const onPath = await findOnPath(goExe, env);
  if (onPath) return onPath;
  if (!env.GOROOT) return undefined;
  const fromRoot = path.join(env.GOROOT, 'bin', goExe);
  return (await isExecutableFile(fromRoot)) ? fromRoot : undefined;
}

/** A binary to build from a Go module with `go install`. */
export interface GoBinary {
  /** Go package path, e.g. `github.com/rclone/rclone`. */
  readonly module: string;
  /** Module version, e.g. `v1.72.0`. */
  readonly version: string;
  /** Where the executable goes; its name is the binary's name. */
  readonly dest: string;
  /** For progress messages, e.g. `the Temporal CLI`. */
  readonly label: string;
}

/**
 * Builds into a private temporary GOBIN next to the cache, then renames into place, so a killed
 * or failed build never leaves a half-written binary where the next run would trust it.
 */
export async function goInstallBinary(go: string, bin: GoBinary, env: NodeJS.ProcessEnv, log: (msg: string) => void): Promise<void> {
  const cacheDir = path.dirname(path.dirname(bin.dest));
  await mkdir(path.dirname(bin.dest), { recursive: true });
  const gobin = await mkdtemp(path.join(cacheDir, 'gobin-'));
  const started = Date.now();
  log(`Building ${bin.label} from Go modules; this takes several minutes the first time…`);
  try {
    await runToCompletion(go, ['install', `${bin.module}@${bin.version}`], { ...env, GOBIN: gobin });
    const built = path.join(gobin, path.basename(bin.dest));
    if (!(await isExecutableFile(built))) throw new Error(`go install produced no ${path.basename(bin.dest)} in ${gobin}`);
    await rename(built, bin.dest);
    log(`Built ${bin.label} ${bin.version} in ${formatSeconds(Date.now() - started)}: ${bin.dest}`);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}

/** Runs a command; rejects with the tail of its output when it exits non-zero. */
function runToCompletion(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const status = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new Error(`${path.basename(cmd)} ${args.join(' ')} ${status}: ${lastLines(output, 15)}`));
    });
  });
}

/**
 * The SDK downloads the CLI only as a side effect of starting an ephemeral server
 * (`https://temporal.download/cli/default?sdk-name=sdk-typescript&...` into
 * `<downloadDir>/temporal-sdk-typescript-<sdk version>`), so start one headless, stop it,
 * and adopt the file.
 */
async function downloadTemporalCli(dest: string, log: (msg: string) => void): Promise<void> {
  const cacheDir = path.dirname(path.dirname(dest));
  await mkdir(path.dirname(dest), { recursive: true });
  const downloadDir = await mkdtemp(path.join(cacheDir, 'download-'));
  log('Downloading the Temporal CLI through the Temporal SDK…');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const testEnv = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
    await testEnv.teardown();
    await adoptDownloadedCli(downloadDir, dest);
    log(`Downloaded the Temporal CLI: ${dest}`);
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
  }
}

/** Moves the SDK's downloaded `temporal-*` file from `downloadDir` to `dest`, made executable. */
export async function adoptDownloadedCli(downloadDir: string, dest: string): Promise<void> {
  const names = await readdir(downloadDir);
  const name = names.find((n) => n.startsWith('temporal-') && !n.endsWith('.downloading'));
  if (!name) throw new Error(`the SDK left no temporal-* binary in ${downloadDir} (found: ${names.join(', ') || 'nothing'})`);
  const file = path.join(downloadDir, name);
  await chmod(file, 0o755);
  await rename(file, dest);
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
