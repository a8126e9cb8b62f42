/**
 * The embedded Temporal dev server (`mlops server`, `mlops dev`, the test global setup):
 * `temporal server start-dev` persisted in SQLite under MLOPS_HOME, Web UI on, the product's
 * search attributes registered.
 *
 * Two settings cut the latency of every pipeline step (bench/orchestration.bench.ts):
 * - eager activity execution: the server hands an activity scheduled by a workflow task back in
 *   the reply to that task, to the worker that completed it, instead of queueing it for a poll;
 * - SQLite in WAL mode with `synchronous=NORMAL`: a commit appends to the log without waiting
 *   for the disk, so a crash of the server or the machine's processes loses nothing; only a
 *   power cut or kernel crash can lose the last few commits (the dev server is not the
 *   production store: docker-compose.yml runs Temporal on PostgreSQL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { loadConfig } from '../config.js';
import { errorMessage, MlopsError } from '../errors.js';
import { createLogger } from '../logger.js';
import { mlopsSearchAttributes, searchAttributeCliArgs } from './search-attributes.js';

/** A fixed port, or `0` / `'auto'` for a free one (tests, parallel runs). */
export type PortOption = number | 'auto';

export interface DevServerOptions {
  /** Path of the `temporal` binary (see `findTemporalCli`). */
  cliPath: string;
  /** Frontend gRPC port. Default 7233. */
  port?: PortOption;
  /** Web UI port. Default 8233. */
  uiPort?: PortOption;
  /** Interface to bind. Default `127.0.0.1`; `0.0.0.0` to expose it (clients then use 127.0.0.1). */
  ip?: string;
  /** SQLite file that persists workflows across restarts. Default `<MLOPS_HOME>/temporal.sqlite`. */
  dbFile?: string;
  /** Namespace created at launch (besides `default`). Default `TEMPORAL_NAMESPACE` or `default`. */
  namespace?: string;
  /** Appends the server's stdout and stderr here. Default: only kept in memory for error messages. */
  logFile?: string;
  /** Progress messages. Default: the `dev-server` pino logger at info. */
  log?: (msg: string) => void;
  /** How long to wait for the frontend to answer. Default 60 000 ms. */
  startTimeoutMs?: number;
  /** Environment for defaults (MLOPS_HOME, TEMPORAL_NAMESPACE) and the child process. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface DevServer {
  /** `host:port` of the frontend, for `TEMPORAL_ADDRESS`. */
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
  readonly dbFile: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

/** `temporal.api.enums.v1.IndexedValueType` numbers (@temporalio/proto is CommonJS and not a direct dependency). */
const indexedValueTypes: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};
const OUTPUT_TAIL_CHARS = 8_000;

/** See the module comment. */
export const devServerTuning: readonly string[] = [
  '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
  '--sqlite-pragma', 'journal_mode=wal',
  '--sqlite-pragma', 'synchronous=normal',
];

/** Starts `temporal server start-dev` and resolves once the frontend answers and the search attributes are registered. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const env = opts.env ?? process.env;
  const config = loadConfig(env);
  const log = opts.log ?? defaultLog();
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? config.namespace;
  const dbFile = path.resolve(opts.dbFile ?? path.join(config.home, 'temporal.sqlite'));
  const [port, uiPort] = await resolvePorts(ip, opts.port ?? 7233, opts.uiPort ?? 8233);
  const connectHost = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
  const address = `${connectHost}:${port}`;
  const uiUrl = `http://${connectHost}:${uiPort}`;

  await mkdir(path.dirname(dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', ip,
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--db-filename', dbFile,
    '--namespace', namespace,
    ...searchAttributeCliArgs(),
    '--log-level', 'warn',
    ...devServerTuning,
  ];
  const started = Date.now();
  const proc = await spawnServer(opts.cliPath, args, env, opts.logFile);
  try {
    await waitUntilReady(address, namespace, proc, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  log(`Temporal dev server ready in ${Date.now() - started} ms: ${address} (namespace ${namespace}), Web UI ${uiUrl}, db ${dbFile}`);
  return Object.freeze({ address, uiUrl, namespace, dbFile, pid: proc.child.pid ?? -1, stop: proc.stop });
}

function defaultLog(): (msg: string) => void {
  const logger = createLogger('dev-server');
  return (msg) => logger.info(msg);
}

/**
 * Registers any of `keys` the namespace lacks, over a client or a worker's native connection;
 * fails when one exists with another type (a user's attribute of the same name), since upserts
 * would then fail inside workflows.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  keys: readonly { name: string; type: SearchAttributeType }[] = mlopsSearchAttributes,
): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace, keys);
  if (Object.keys(missing).length === 0) return;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
}

/** The `keys` the namespace lacks (name → indexed value type); throws when one has another type. */
export async function missingSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  keys: readonly { name: string; type: SearchAttributeType }[] = mlopsSearchAttributes,
): Promise<Record<string, number>> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, number> = {};
  for (const { name, type } of keys) {
    const wanted = indexedValueTypes[type];
    const existing = customAttributes?.[name];
    if (existing === undefined || existing === null) {
      missing[name] = wanted;
    } else if (existing !== wanted) {
      throw new MlopsError(
        'UsageError',
        `Search attribute ${name} is registered in namespace ${namespace} as ${typeName(existing)}, ` +
          `but temporal-mlops needs ${type}; remove it (temporal operator search-attribute remove --name ${name}) or use another namespace`,
        { name, namespace },
      );
    }
  }
  return missing;
}

interface ServerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** The last few KB of the server's stdout and stderr. */
  outputTail(): string;
  stop(): Promise<void>;
}

async function spawnServer(
  cliPath: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string | undefined,
): Promise<ServerProcess> {
  let logStream: WriteStream | undefined;
  if (logFile) {
    await mkdir(path.dirname(path.resolve(logFile)), { recursive: true });
    logStream = createWriteStream(logFile, { flags: 'a' });
  }
  const child = spawn(cliPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    logStream?.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
    child.once('exit', () => resolve());
  });
  // Never leave an orphaned server behind when the parent exits without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => {
    process.removeListener('exit', killOnExit);
    logStream?.end();
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= terminate(child, exited);
    return stopping;
  };
  return {
    child,
    exited,
    outputTail: () => (spawnError ? `${spawnError.message}\n${tail}` : tail),
    stop,
  };
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  child.kill('SIGTERM');
  const timer = sleep(STOP_GRACE_MS, 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls the frontend with backoff until it answers for the namespace, then registers the search attributes. */
async function waitUntilReady(address: string, namespace: string, proc: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  let lastError = 'no answer yet';
  let done = false;
  const died = proc.exited.then(() => {
    if (done) return;
    const code = proc.child.exitCode ?? proc.child.signalCode;
    throw new MlopsError(
      'TemporalCliUnavailable',
      `The Temporal dev server exited (${code ?? 'failed to start'}) before answering on ${address}; its output:\n${lastLines(proc.outputTail(), 20)}`,
      { address },
    );
  });
  try {
    while (Date.now() < deadline) {
      // A gRPC connect to a closed port waits out its whole timeout (grpc-js reconnect backoff
      // starts at 1 s), so wait for the listening socket with cheap TCP probes first.
      const attempt = acceptsTcp(address).then((open) =>
        open ? probe(address, namespace, Math.max(500, Math.min(5_000, deadline - Date.now()))) : 'connection refused',
      );
      const result = await Promise.race([attempt, died]);
      if (result === true) return;
      lastError = result ?? lastError;
      await Promise.race([sleep(delay), died]);
      delay = Math.min(delay * 2, 250);
    }
  } finally {
    done = true;
  }
  throw new MlopsError(
    'TemporalCliUnavailable',
    `The Temporal dev server did not answer on ${address} within ${Math.round(timeoutMs / 1000)} s (last error: ${lastError}); its output:\n${lastLines(proc.outputTail(), 20)}`,
    { address },
  );
}

function acceptsTcp(address: string): Promise<boolean> {
  const separator = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.slice(0, separator), port: Number(address.slice(separator + 1)) });
    socket.setTimeout(1_000);
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** true when ready; otherwise the reason, for the timeout message. */
async function probe(address: string, namespace: string, connectTimeoutMs: number): Promise<true | string> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs });
    await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace });
    await ensureSearchAttributes(connection, namespace);
    return true;
  } catch (err) {
    if (err instanceof MlopsError) throw err;
    return errorMessage(err);
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function resolvePorts(host: string, port: PortOption, uiPort: PortOption): Promise<[number, number]> {
  const wanted = [port, uiPort].map((p) => (p === 'auto' ? 0 : p));
  const free = await freePorts(host, wanted.filter((p) => p === 0).length);
  const resolved = wanted.map((p) => (p === 0 ? free.shift()! : p)) as [number, number];
  if (resolved[0] === resolved[1]) {
    throw new MlopsError('UsageError', `The gRPC port and the Web UI port are both ${resolved[0]}; choose two different ports`);
  }
  for (const [p, what] of [[resolved[0], 'gRPC'], [resolved[1], 'Web UI']] as const) {
    if (wanted.includes(p)) await assertPortFree(host, p, what);
  }
  return resolved;
}

/** `count` distinct free TCP ports on `host`, held open together so they differ. */
export async function freePorts(host: string, count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(host, 0));
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

async function assertPortFree(host: string, port: number, what: string): Promise<void> {
  let server: net.Server;
  try {
    server = await listen(host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'EADDRINUSE'
        ? `is already in use by another process; stop it, pick another port (--port/--ui-port), or, if it is a Temporal server, use it with TEMPORAL_ADDRESS=${host}:${port}`
        : `cannot be bound (${errorMessage(err)})`;
    throw new MlopsError('UsageError', `The ${what} port ${host}:${port} ${hint}`, { host, port });
  }
  await new Promise((resolve) => server.close(resolve));
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function typeName(indexedValueType: number): string {
  return Object.entries(indexedValueTypes).find(([, n]) => n === indexedValueType)?.[0] ?? `type #${indexedValueType}`;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n') || '(no output)';
}
