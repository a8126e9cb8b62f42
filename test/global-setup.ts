/**
 * vitest globalSetup: one Temporal server for the whole run. With TEMPORAL_ADDRESS set, tests use
 * that server; otherwise a dev server starts on free ports with a throwaway SQLite file.
 * Tests read it with `inject('temporalAddress')`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { TestProject } from 'vitest/node';
import { errorMessage } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { ensureSearchAttributes, startDevServer } from '../src/temporal/dev-server.js';
import { findTemporalCli } from '../src/temporal/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the Temporal frontend the tests use. */
    temporalAddress: string;
    temporalNamespace: string;
    /** Path of the `temporal` CLI, or '' when none was found (external server only). */
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger('test-setup');
  const log = (msg: string) => logger.info(msg);
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  project.provide('temporalNamespace', namespace);

  const external = process.env.TEMPORAL_ADDRESS;
  if (external) {
    log(`Using the Temporal server at ${external} (TEMPORAL_ADDRESS)`);
    project.provide('temporalAddress', external);
    project.provide('temporalCliPath', await findTemporalCli({ allowBuild: false, allowDownload: false, log }).then((c) => c.path, () => ''));
    await registerSearchAttributes(external, namespace).catch((err) =>
      log(`Could not register the search attributes on ${external}: ${errorMessage(err)}`),
    );
    return async () => {};
  }

  const cli = await findTemporalCli({ allowBuild: true, log });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-test-temporal-'));
  const server = await startDevServer({
    cliPath: cli.path,
    port: 'auto',
    uiPort: 'auto',
    dbFile: path.join(dir, 'temporal.sqlite'),
    namespace,
    logFile: path.join(dir, 'server.log'),
    log,
  });
  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cli.path);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

async function registerSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 5_000 });
  try {
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}
