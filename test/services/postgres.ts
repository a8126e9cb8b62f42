/**
 * A throwaway PostgreSQL 15 for tests: `initdb` into a temp folder, then `postgres` on a free
 * port of 127.0.0.1 (password login over TCP, trust on its private Unix socket). PostgreSQL
 * refuses to run as root, so under root (CI) it runs as the `postgres` system user. `kill()`
 * is a kill -9 of the server and all its backends at once, as in a crash, and `restart()`
 * brings it back on the same port and data (through crash recovery).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const binDir = process.env.MLOPS_TEST_POSTGRES_BIN || '/usr/lib/postgresql/15/bin';
const user = 'mlops';

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresSkipReason: string | undefined = ['postgres', 'initdb'].every((b) => existsSync(path.join(binDir, b)))
  ? undefined
  : `PostgreSQL 15 is not installed (no ${binDir}/postgres): apt-get install postgresql-15 (.ci/run does) or set MLOPS_TEST_POSTGRES_BIN`;

export interface PostgresService {
  /** postgres://mlops:PASSWORD@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** Creates a fresh database and returns its URL. */
  database(name: string): Promise<string>;
  /** Fast shutdown (SIGINT); the data stays for {@link restart}. */
  stop(): Promise<void>;
  /** SIGKILL to the server and every backend, like a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port and data folder (after crash recovery, if killed). */
  restart(): Promise<void>;
  /** Stops the server and deletes its folder. */
  dispose(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresService> {
  if (postgresSkipReason) throw new Error(postgresSkipReason);
  const root = await mkdtemp(path.join(os.tmpdir(), 'mlops-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  const passwordFile = path.join(root, 'password');
  const password = randomBytes(12).toString('hex');
  await mkdir(socketDir);
  await writeFile(passwordFile, password);
  const owner = runAs();
  if (owner) for (const p of [root, socketDir, passwordFile]) await chown(p, owner.uid, owner.gid);

  const init = spawnSync(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', user, `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    { ...owner, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);

  const port = await freePort();
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  let log = '';

  const start = async (): Promise<void> => {
    log = '';
    const child = spawn(
      path.join(binDir, 'postgres'),
      // fsync=off: a test server needs to survive a process crash, not a power cut.
      ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { ...owner, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
    server = child;
    await waitUntilReady(url, child, () => log);
  };
  const running = () => (server && server.exitCode === null && server.signalCode === null ? server : undefined);
  const stop = async (): Promise<void> => {
    const child = running();
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  };
  // Backends run in their own sessions (PostgreSQL calls setsid), so a group kill would miss them.
  const crash = (): number[] => {
    const child = running();
    if (!child) return [];
    const pids = [child.pid!, ...childrenOf(child.pid!)];
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    return pids;
  };
  const kill = async (): Promise<void> => {
    const child = running();
    if (!child) return;
    const exited = once(child, 'exit');
    const pids = crash();
    await exited;
    // The old backends must be gone before a restart, or it sees their shared memory in use.
    while (pids.some(isAlive)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  // Never leave a server behind if the test process ends without dispose().
  const onExit = () => void crash();
  process.once('exit', onExit);

  await start();
  return {
    url,
    port,
    password,
    async database(name) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop,
    kill,
    restart: start,
    async dispose() {
      await stop();
      process.off('exit', onExit);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The `postgres` system user's ids when running as root, else undefined (run as ourselves). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) throw new Error('running as root, and PostgreSQL refuses root: create the "postgres" system user (the postgresql-15 package does)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Pids whose parent is `parent`, from /proc. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => statOf(Number(pid))?.ppid === parent)
    .map(Number);
}

/** True while `pid` runs; a zombie (dead, waiting to be reaped) counts as gone. */
function isAlive(pid: number): boolean {
  const stat = statOf(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function statOf(pid: number): { state: string; ppid: number } | undefined {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    const ok = await client.connect().then(
      () => true,
      () => false,
    );
    await client.end().catch(() => {});
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
