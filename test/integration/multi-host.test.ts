/**
 * The production topology, each host a process with its own MLOPS_HOME, sharing only the S3
 * store, the PostgreSQL registry and Temporal: worker A (every step but training), worker B
 * (the training queue), a model server and the CLI. Train, approve, serve, send traffic and
 * labels, monitor the served traffic, retrain on it, and serve the retrained version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { loadConfig } from '../../src/config.js';
import type { ModelRegistry } from '../../src/registry/model-registry.js';
import { openArtifactStore, openRegistry } from '../../src/registry/open.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { freePorts } from '../../src/temporal/dev-server.js';
import { connectClient } from '../../src/temporal/client.js';
import { sharedStateSkipReason, startSharedState, type SharedState } from '../services/shared-state.js';
import { rowCount } from './row-count.js';
import { runMlops } from './run-mlops.js';

const skipReason = await sharedStateSkipReason();
if (skipReason) console.warn(`multi-host test skipped: ${skipReason}`);
// CI installs PostgreSQL and rclone (.ci/run): there a missing one fails the test.
const suite = skipReason && !process.env.CI ? describe.skip : describe;

const bin = path.resolve('bin/mlops.js');
const model = 'taxi-multi';
const queue = 'it-multi';
const trainingQueue = 'it-multi-train';

interface Host {
  readonly name: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
}

suite('four hosts sharing only S3, PostgreSQL and Temporal', () => {
  let state: SharedState;
  let root: string;
  const processes: { name: string; child: ChildProcess; log: string }[] = [];

  const host = (name: string, extra: Record<string, string> = {}): Host => {
    const home = path.join(root, name);
    return {
      name,
      home,
      env: { ...process.env, ...state.env, ...extra, MLOPS_HOME: home, TEMPORAL_ADDRESS: inject('temporalAddress'), MLOPS_TASK_QUEUE: queue, MLOPS_GPU_TASK_QUEUE: trainingQueue, MLOPS_LOG_LEVEL: 'warn' },
    };
  };

  /** Starts `mlops ARGS` as a long-running process of a host; its output goes to a log file. */
  const start = async (h: Host, args: string[]): Promise<ChildProcess> => {
    await mkdir(h.home, { recursive: true });
    const log = path.join(root, `${h.name}.log`);
    const child = spawn('node', [bin, ...args], { env: h.env, cwd: h.home, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(log);
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    processes.push({ name: h.name, child, log });
    return child;
  };

  beforeAll(async () => {
    state = await startSharedState();
    root = await mkdtemp(path.join(os.tmpdir(), 'mlops-multi-'));
  });

  afterAll(async () => {
    await Promise.all(processes.map(({ child }) => stopProcess(child)));
    await state?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('trains across two workers, approves, serves, monitors served traffic and retrains on it', { timeout: 300_000 }, async () => {
    const workerA = host('worker-a', { MLOPS_USE_GPU_QUEUE: '1' }); // training goes to the training queue
    const workerB = host('worker-b');
    const server = host('model-server', { MLOPS_INFERENCE_LOG_ROTATE: '1s' });
    const cli = host('cli');
    const [port] = await freePorts('127.0.0.1', 1);
    const serveUrl = `http://127.0.0.1:${port}`;

    // The raw data is on worker A's own disk: only A runs ingest.
    const dataDir = path.join(workerA.home, 'data');
    await generateTrips({ outDir: dataDir, months: 1, rowsPerMonth: 1200, seed: 11 });
    const spec: PipelineSpecInput = {
      name: model,
      task: 'regression',
      data: {
        source: path.join(dataDir, '*.parquet'),
        target: 'duration_min',
        features: [
          { name: 'trip_distance', type: 'numeric' },
          { name: 'hour', type: 'numeric' },
          { name: 'PULocationID', type: 'categorical' },
        ],
      },
      model: { hiddenUnits: [16], epochs: 3, learningRate: 0.01 },
      evaluation: { thresholds: { rmse: { upper: 1000 } } },
      approval: { mode: 'manual' },
      monitoring: { source: 'inference-log', interval: '2s', window: '1h', cooldown: '1h', drift: { threshold: 0.3 } },
    };
    await mkdir(cli.home, { recursive: true });
    const specFile = path.join(cli.home, 'spec.json');
    await writeFile(specFile, JSON.stringify(spec));
    // The monitor's retrains deploy without a person, so the loop closes on its own.
    const monitorSpecFile = path.join(cli.home, 'monitor.json');
    await writeFile(monitorSpecFile, JSON.stringify({ ...spec, approval: { mode: 'auto' } }));

    const a = await start(workerA, ['worker']);
    const b = await start(workerB, ['worker', '--task-queue', trainingQueue]);
    await start(server, ['serve', '--port', String(port)]);
    const mlops = async (...args: string[]) => {
      const out = await runMlops(args, { env: cli.env, cwd: cli.home });
      expect(out.code, `mlops ${args.join(' ')}: ${out.stderr}`).toBe(0);
      return out.stdout;
    };
    const status = async (id: string) => JSON.parse(await mlops('status', id, '--json')) as Record<string, unknown>;

    // Train and approve from the CLI host.
    await mlops('run', specFile, '--workflow-id', 'multi-train', '--json');
    await until('the pipeline awaits approval', async () => (await status('multi-train')).stage === 'awaiting-approval', 150_000, logs);
    await mlops('approve', 'multi-train', '--reviewer', 'ana', '--comment', 'looks right');
    await until('v1 is deployed', async () => (await status('multi-train')).stage === 'deployed', 60_000, logs);

    // Training ran on worker B, every other step on worker A.
    const client = await connectClient(loadConfig(cli.env));
    try {
      const history = await client.workflow.getHandle('multi-train').fetchHistory();
      const scheduled = new Map<number, string>();
      const ranOn = new Map<string, string>();
      for (const e of history.events ?? []) {
        const s = e.activityTaskScheduledEventAttributes;
        if (s) scheduled.set(Number(e.eventId), s.activityType?.name ?? '');
        const started = e.activityTaskStartedEventAttributes;
        if (started) ranOn.set(scheduled.get(Number(started.scheduledEventId)) ?? '', started.identity ?? '');
      }
      expect(ranOn.get('train')).toMatch(new RegExp(`^${b.pid}@`));
      expect(ranOn.get('ingest')).toMatch(new RegExp(`^${a.pid}@`));
      expect(ranOn.get('deploy')).toMatch(new RegExp(`^${a.pid}@`));
    } finally {
      await client.connection.close();
    }

    // The model server (another host) serves v1 from the shared registry and store.
    await until('the model server serves v1', async () => (await servedVersion(serveUrl)) === '1', 30_000, logs);

    // Production traffic whose trips are much longer than in training, and labels that show decay.
    const served = await sendTraffic(serveUrl, 240, 40);
    await until('the traffic and labels are shipped and indexed', async () => {
      const registry = openRegistry(loadConfig(cli.env));
      try {
        const rows = async (kind: 'predictions' | 'feedback') => (await registry.listInferenceSegments(model, { kind })).reduce((n, s) => n + s.rows, 0);
        return (await rows('predictions')) === served.predictions && (await rows('feedback')) === served.labels;
      } finally {
        await registry.close();
      }
    }, 30_000, logs);

    // The monitor reads that traffic, finds drift, retrains on it, and v2 goes live.
    await mlops('monitor', monitorSpecFile, '--workflow-id', 'multi-monitor', '--json');
    let monitor: Record<string, unknown> = {};
    await until('the monitor retrains and deploys v2', async () => {
      monitor = await status('multi-monitor');
      const decisions = (monitor.decisions ?? []) as { action: string; deployedVersion?: number | null }[];
      return decisions.some((d) => d.action === 'retrain' && d.deployedVersion === 2);
    }, 150_000, logs);
    const retrain = (monitor.decisions as { action: string; reasons: string[] }[]).find((d) => d.action === 'retrain')!;
    expect(retrain.reasons.join('; ')).toMatch(/drift: .* of features drifted/);
    expect(monitor.lastDrift).toMatchObject({ rows: served.predictions, datasetDrift: true });
    await until('the model server serves v2', async () => (await servedVersion(serveUrl)) === '2', 30_000, logs);

    // v2 learned from production: its training data is v1's plus the labelled served rows.
    const registry: ModelRegistry = openRegistry(loadConfig(cli.env));
    try {
      const entry = await registry.requireModel(model);
      const [v1, v2] = entry.versions;
      expect(v1?.approval).toMatchObject({ decision: 'approved', reviewer: 'ana', comment: 'looks right' });
      expect(v2?.lineage.dataset.uri).toMatch(/^s3:\/\//);
      // Read through the S3 store from the CLI host's own cache.
      const store = openArtifactStore(loadConfig(cli.env));
      expect(await rowCount(store, v2!.lineage.dataset)).toBe((await rowCount(store, v1!.lineage.dataset)) + served.labels);
      expect(entry.aliases.production).toBe(2);
    } finally {
      await registry.close();
    }

    // No host kept shared state on its own disk: no registry, no artifact store there.
    for (const h of [workerA, workerB, server, cli]) {
      expect(existsSync(path.join(h.home, 'registry')), `${h.name} has a registry folder`).toBe(false);
      expect(existsSync(path.join(h.home, 'artifacts')), `${h.name} has an artifacts folder`).toBe(false);
    }
    const terminate = await connectClient(loadConfig(cli.env));
    await terminate.workflow.getHandle('multi-monitor').terminate('test over');
    await terminate.connection.close();
  });

  /** Each process's last output, for a failure message. */
  async function logs(): Promise<string> {
    const tails = await Promise.all(processes.map(async (p) => `--- ${p.name}\n${(await readFile(p.log, 'utf8').catch(() => '')).slice(-1500)}`));
    return tails.join('\n');
  }
});


/** The version the server's production alias resolves to, or undefined while it has none. */
async function servedVersion(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/v1/models/${model}`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const body = (await res.json()) as { model_version_status: { version: string; state: string }[] };
  return body.model_version_status.find((s) => s.state === 'AVAILABLE')?.version;
}

/** Sends `count` trips in requests of `perRequest`, then a label for every other one. */
async function sendTraffic(url: string, count: number, perRequest: number): Promise<{ predictions: number; labels: number }> {
  let labels = 0;
  for (let sent = 0; sent < count; sent += perRequest) {
    const instances = Array.from({ length: perRequest }, (_, i) => ({ trip_distance: 25 + ((sent + i) % 10), hour: (sent + i) % 24, PULocationID: String(100 + ((sent + i) % 5)) }));
    const res = await fetch(`${url}/v1/models/${model}:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances }) });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    const feedback = instances.flatMap((trip, index) => (index % 2 === 0 ? [{ request_id: requestId, index, label: trip.trip_distance * 6 }] : []));
    const recorded = await fetch(`${url}/v1/models/${model}:feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(feedback) });
    expect(recorded.status).toBe(200);
    labels += feedback.length;
  }
  return { predictions: count, labels };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, context: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${await context()}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
