import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import { ensureSearchAttributes, freePorts, startDevServer } from '../../../src/temporal/dev-server.js';
import { searchAttributeFlagValues } from '../../../src/temporal/search-attributes.js';

let root: string;
const quiet = () => {};

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'dev-server-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fakeCli(body: string): Promise<string> {
  const file = path.join(root, 'temporal');
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

function listen(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function portIsFree(port: number): Promise<boolean> {
  return listen(port).then(
    (s) => new Promise((resolve) => s.close(() => resolve(true))),
    () => false,
  );
}

describe('freePorts', () => {
  it('returns distinct bindable ports', async () => {
    const ports = await freePorts('127.0.0.1', 3);
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(await portIsFree(p)).toBe(true);
  });
});

describe('startDevServer (fake CLI)', () => {
  it('refuses a port that something else holds, before spawning anything', async () => {
    const squatter = await listen();
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const cliPath = await fakeCli(`touch '${path.join(root, 'spawned')}'`);
      const err = await startDevServer({ cliPath, port, uiPort: 'auto', dbFile: path.join(root, 'db'), log: quiet }).catch((e) => e);
      expect(err).toBeInstanceOf(MlopsError);
      expect(err.message).toContain(`127.0.0.1:${port} is already in use`);
      expect(err.message).toContain('TEMPORAL_ADDRESS');
      await expect(readFile(path.join(root, 'spawned'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      squatter.close();
    }
  });

  it('passes the documented flags and reports an early exit with the output tail', async () => {
    const argsFile = path.join(root, 'args');
    const cliPath = await fakeCli(`echo "$@" > '${argsFile}'; echo 'Error: unknown flag --frobnicate' >&2; exit 3`);
    const dbFile = path.join(root, 'sub', 'temporal.sqlite');
    const err = await startDevServer({ cliPath, port: 0, uiPort: 0, dbFile, namespace: 'ml', log: quiet }).catch((e) => e);

    expect(err).toBeInstanceOf(MlopsError);
    expect(err.type).toBe('TemporalCliUnavailable');
    expect(err.message).toMatch(/exited \(3\)/);
    expect(err.message).toContain('unknown flag --frobnicate');
    const args = (await readFile(argsFile, 'utf8')).trim();
    expect(args).toMatch(/^server start-dev --ip 127\.0\.0\.1 --port \d+ --ui-port \d+ /);
    expect(args).toContain(`--db-filename ${dbFile}`);
    expect(args).toContain('--namespace ml');
    for (const value of searchAttributeFlagValues) expect(args).toContain(`--search-attribute ${value}`);
    expect(args).toContain('--log-level warn');
    expect(args).toMatch(/--dynamic-config-value system\.enableActivityEagerExecution=true --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal$/);
  });

  it('times out with the server output when the frontend never answers, and kills the process', async () => {
    const pidFile = path.join(root, 'pid');
    const cliPath = await fakeCli(`echo $$ > '${pidFile}'; echo 'still starting' >&2; exec sleep 30`);
    const started = Date.now();
    const err = await startDevServer({
      cliPath,
      port: 'auto',
      uiPort: 'auto',
      dbFile: path.join(root, 'db'),
      startTimeoutMs: 1_500,
      log: quiet,
    }).catch((e) => e);

    expect(err).toBeInstanceOf(MlopsError);
    expect(err.message).toMatch(/did not answer on 127\.0\.0\.1:\d+ within 2 s/);
    expect(err.message).toContain('still starting');
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(await readFile(pidFile, 'utf8'));
    // Signal 0 only asks whether the process exists: ESRCH, it was stopped.
    expect(() => process.kill(pid, 0)).toThrowError(expect.objectContaining({ code: 'ESRCH' }));
  });
});

const cliPath = inject('temporalCliPath');

// Without a CLI (an external TEMPORAL_ADDRESS and none installed) this runs only where CI provides one.
describe.skipIf(!cliPath && !process.env.CI)('startDevServer (real Temporal CLI)', () => {
  it('starts on free ports, registers the search attributes, persists, and stops', async () => {
    const dbFile = path.join(root, 'temporal.sqlite');
    const logFile = path.join(root, 'server.log');
    const server = await startDevServer({ cliPath, port: 'auto', uiPort: 'auto', dbFile, namespace: 'mlops-test', logFile, log: quiet });
    const port = Number(server.address.split(':')[1]);
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'mlops-test' });
        expect(Object.keys(customAttributes ?? {})).toEqual(
          expect.arrayContaining(['MlopsModelName', 'MlopsStage', 'MlopsModelVersion', 'MlopsBlessed']),
        );
        await expect(ensureSearchAttributes(connection, 'mlops-test')).resolves.toBeUndefined();
        await expect(ensureSearchAttributes(connection, 'mlops-test', [{ name: 'MlopsStage', type: 'INT' }])).rejects.toThrow(
          /MlopsStage is registered in namespace mlops-test as KEYWORD, but temporal-mlops needs INT/,
        );
      } finally {
        await connection.close();
      }
      expect((await fetch(server.uiUrl)).status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(await portIsFree(port)).toBe(true);
    await expect(server.stop()).resolves.toBeUndefined();

    // Restart on the same SQLite file: the namespace and attributes are still there.
    const again = await startDevServer({ cliPath, port: 'auto', uiPort: 'auto', dbFile, namespace: 'mlops-test', log: quiet });
    await again.stop();
  });
});
