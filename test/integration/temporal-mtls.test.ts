/**
 * The Temporal connection over mTLS, for real: TLS terminators that require a client certificate
 * from a throwaway CA in front of the dev server, a worker from createMlopsWorker and a client
 * from connectClient configured only by TEMPORAL_TLS_* variables or a temporal.toml profile.
 *
 * stunnel (Debian stunnel4) negotiates no ALPN, which grpc-js accepts and the worker's Rust core
 * refuses (test/services/stunnel.ts): clients and the CLI go through stunnel, workers through a
 * node:tls terminator that offers h2 (test/services/tls-proxy.ts).
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig, type MlopsConfig } from '../../src/config.js';
import { MlopsError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { parseSpec } from '../../src/spec/parse.js';
import { connectClient } from '../../src/temporal/client.js';
import { startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { createMlopsWorker } from '../../src/temporal/worker.js';
import type { WorkerGroup } from '../../src/temporal/worker-group.js';
import { createTestCertificates, type TestCertificates } from '../services/certificates.js';
import { startStunnel } from '../services/stunnel.js';
import { startTlsProxy, type TlsProxy } from '../services/tls-proxy.js';
import type { TlsTerminator } from '../services/tls-proxy.js';
import { runMlops } from './run-mlops.js';

const logger = createLogger('test-mtls', 'warn');

interface RunningWorker {
  readonly worker: WorkerGroup;
  readonly connection: NativeConnection;
  readonly running: Promise<void>;
}

describe('Temporal over mTLS', () => {
  let dir: string;
  let certs: TestCertificates;
  let proxy: TlsProxy;
  let stunnel: TlsTerminator;
  let dataDir: string;
  const workers: RunningWorker[] = [];
  const clients: Client[] = [];

  /** TEMPORAL_* variables for `address` with the client certificate (or without, with `clientCert: false`). */
  const tlsEnv = (address: string, { clientCert = true } = {}) => ({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
    ...(clientCert ? { TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey } : {}),
  });
  const configFor = (name: string, env: Record<string, string>) =>
    loadConfig({ MLOPS_HOME: path.join(dir, name), MLOPS_TASK_QUEUE: `mtls-${name}`, TEMPORAL_NAMESPACE: inject('temporalNamespace'), ...env });

  async function startWorker(config: MlopsConfig): Promise<RunningWorker> {
    const { worker, connection } = await createMlopsWorker({ config, logger, baseDir: config.home });
    const started = { worker, connection, running: worker.run() };
    workers.push(started);
    return started;
  }

  async function client(config: MlopsConfig): Promise<Client> {
    const connected = await connectClient(config);
    clients.push(connected);
    return connected;
  }

  /** The cheapest real pipeline: a few hundred rows, one epoch, auto approval. */
  async function trainThrough(config: MlopsConfig, name: string): Promise<string> {
    const spec = parseSpec(
      {
        name,
        task: 'regression',
        data: {
          source: path.join(dataDir, '*.parquet'),
          target: 'duration_min',
          features: [
            { name: 'trip_distance', type: 'numeric' },
            { name: 'PULocationID', type: 'categorical' },
          ],
        },
        model: { hiddenUnits: [4], epochs: 1, batchSize: 64 },
        evaluation: { thresholds: { rmse: { upper: 1000 } } },
        approval: { mode: 'auto' },
      },
      'test',
    );
    const handle = await startTrainingPipeline(await client(config), spec, { taskQueue: config.taskQueue, workflowId: `mtls-${name}-${Date.now()}` });
    expect(await handle.result()).toMatchObject({ model: name, version: 1, deployed: true });
    expect((await new FileModelRegistry(config.registryDir).getModel(name))?.aliases.production).toBe(1);
    return handle.workflowId;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-mtls-'));
    dataDir = path.join(dir, 'data');
    certs = await createTestCertificates(dir);
    await generateTrips({ outDir: dataDir, months: 1, rowsPerMonth: 300, seed: 3, format: 'parquet' });
    proxy = await startTlsProxy({ target: inject('temporalAddress'), certs });
    stunnel = await startStunnel({ target: inject('temporalAddress'), certs, dir });
  });

  afterAll(async () => {
    for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all(workers.map(({ running }) => running.catch(() => undefined)));
    await Promise.all([...workers.map(({ connection }) => connection.close()), ...clients.map((c) => c.connection.close())]);
    await Promise.all([proxy?.stop(), stunnel?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let envWorkflowId: string;

  it('TEMPORAL_TLS_* variables: a worker and a client run trainingPipeline end to end over mTLS', async () => {
    const config = configFor('env', tlsEnv(proxy.address));
    await startWorker(config);
    const seen = proxy.clients.length;
    envWorkflowId = await trainThrough(config, 'mtls-env');
    // Both connection kinds went through the proxy and were let in on the test client certificate.
    expect(proxy.clients.length).toBeGreaterThan(seen);
    expect(new Set(proxy.clients)).toEqual(new Set([certs.clientName]));
  });

  it('the mlops CLI reaches the workflow through stunnel with the client certificate', async () => {
    const env = { ...withoutTemporalVariables(process.env), MLOPS_HOME: path.join(dir, 'env'), MLOPS_LOG_LEVEL: 'warn', TEMPORAL_NAMESPACE: inject('temporalNamespace'), ...tlsEnv(stunnel.address) };
    const status = await runMlops(['status', envWorkflowId, '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ stage: 'deployed', version: 1 });
  });

  it('a temporal.toml profile chosen by TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE sets address, namespace and certificates', async () => {
    const file = path.join(dir, 'temporal.toml');
    await writeFile(
      file,
      [
        '[profile.default]',
        'address = "127.0.0.1:1"',
        '',
        '[profile.secure]',
        `address = "${proxy.address}"`,
        `namespace = "${inject('temporalNamespace')}"`,
        '[profile.secure.tls]',
        `client_cert_path = "${certs.clientCert}"`,
        `client_key_path = "${certs.clientKey}"`,
        `server_ca_cert_path = "${certs.caCert}"`,
        'server_name = "localhost"',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ MLOPS_HOME: path.join(dir, 'profile'), MLOPS_TASK_QUEUE: 'mtls-profile', TEMPORAL_PROFILE: 'secure', TEMPORAL_CONFIG_FILE: file });
    expect(config.temporalAddress).toBe(proxy.address);
    expect(config.namespace).toBe(inject('temporalNamespace'));
    await startWorker(config);
    await trainThrough(config, 'mtls-profile');
  });

  it('without a client certificate the proxy refuses the client, and the error says where, how and why', async () => {
    const config = configFor('no-cert', tlsEnv(stunnel.address, { clientCert: false }));
    const err = await connectClient(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlopsError);
    expect((err as MlopsError).type).toBe('UsageError');
    expect((err as MlopsError).message).toContain(`cannot reach the Temporal server at ${stunnel.address}`);
    expect((err as MlopsError).message).toMatch(/\(namespace [^,]+, TLS\): .*\(TLS handshake: .*alert certificate required\); check TEMPORAL_ADDRESS, the certificates/);
    expect((err as MlopsError).details).toMatchObject({ address: stunnel.address, security: 'TLS' });
  });

  it('a worker without a client certificate is refused by the proxy too', async () => {
    const config = configFor('no-cert-worker', tlsEnv(proxy.address, { clientCert: false }));
    const err = await createMlopsWorker({ config, logger }).catch((e: unknown) => e);
    expect((err as MlopsError).message).toContain(`cannot reach the Temporal server at ${proxy.address}`);
    // The core reports the alert (CertificateRequired) or, when the proxy hangs up first, a closed
    // connection; the handshake probe then names the alert.
    expect((err as MlopsError).message).toMatch(/\(namespace [^,]+, TLS\): .*certificate ?required/i);
    expect((err as MlopsError).details).toMatchObject({ security: 'TLS' });
    expect(proxy.output()).toMatch(/rejected a client: .*certificate/i);
  });

  it('a worker through stunnel fails on the missing ALPN with an error that says so', async () => {
    const config = configFor('stunnel-worker', tlsEnv(stunnel.address));
    const err = await createMlopsWorker({ config, logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlopsError);
    expect((err as MlopsError).message).toMatch(/mTLS\): .*H2NotNegotiated.*did not offer HTTP\/2 by ALPN/);
  });
});

function withoutTemporalVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}
