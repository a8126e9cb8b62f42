/**
 * `npm run histories:export`: runs each workflow through its representative paths on a real
 * dev server and saves the event histories under test/histories/<package version>/. The replay
 * test runs every saved history against the current workflow code, so a change that would
 * break a running workflow of a released version fails CI (guard such changes with patched()).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateTrips } from '../examples/taxi/generate.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { parseSpec } from '../src/spec/parse.js';
import type { PipelineSpecInput } from '../src/spec/schema.js';
import { connectClient } from '../src/temporal/client.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { approve, reject, startTrainingPipeline, waitForStage } from '../src/temporal/pipeline-client.js';
import { findTemporalCli } from '../src/temporal/temporal-cli.js';
import { createMlopsWorker } from '../src/temporal/worker.js';
import { decideUpdate } from '../workflows/messages.js';
import { monitorStatusQuery, newDataSignal, setPolicyUpdate } from '../workflows/monitor-messages.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
const outDir = path.join(root, 'test', 'histories', version);
const logger = createLogger('export-histories', 'warn');

const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-histories-'));
const cli = await findTemporalCli({ log: (m) => process.stderr.write(`${m}\n`) });
const server = process.env.TEMPORAL_ADDRESS ? undefined : await startDevServer({ cliPath: cli.path, port: 'auto', uiPort: 'auto', dbFile: path.join(home, 'temporal.sqlite') });
const config = loadConfig({ ...process.env, MLOPS_HOME: home, TEMPORAL_ADDRESS: server?.address ?? process.env.TEMPORAL_ADDRESS, MLOPS_TASK_QUEUE: 'histories' });
await generateTrips({ outDir: path.join(home, 'data'), months: 2, rowsPerMonth: 1000, seed: 11 });
await generateTrips({ outDir: path.join(home, 'incoming'), months: 1, rowsPerMonth: 1000, seed: 11, startMonth: 5 });
const { worker, connection } = await createMlopsWorker({ config, logger, baseDir: home });
const running = worker.run();
const client = await connectClient(config);

const base = (name: string, extra: Partial<PipelineSpecInput> = {}) =>
  parseSpec(
    {
      name,
      task: 'regression',
      data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }, { name: 'PULocationID', type: 'categorical' }] },
      model: { hiddenUnits: [8], epochs: 2, batchSize: 128, learningRate: 0.01 },
      monitoring: { source: 'incoming/*.parquet', interval: '1h' },
      ...extra,
    },
    'histories',
  );
const start = (name: string, extra?: Partial<PipelineSpecInput>) => startTrainingPipeline(client, base(name, extra), { taskQueue: config.taskQueue, workflowId: `history-${name}` });
const settle = (handle: WorkflowHandle) => handle.result().catch(() => undefined);

const scenarios: Record<string, () => Promise<WorkflowHandle>> = {
  async 'training-pipeline-approved'() {
    const h = await start('approved');
    await waitForStage(h, ['awaiting-approval']);
    await approve(h, 'ana', 'ok');
    return h;
  },
  async 'training-pipeline-rejected'() {
    const h = await start('rejected');
    await waitForStage(h, ['awaiting-approval']);
    await reject(h, 'bo', 'not yet');
    return h;
  },
  async 'training-pipeline-decide-update'() {
    const h = await start('decided');
    await waitForStage(h, ['awaiting-approval']);
    await h.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ana' }] });
    return h;
  },
  async 'training-pipeline-timeout'() {
    return start('timeout', { approval: { mode: 'manual', timeout: '1s', onTimeout: 'approve-if-blessed' } });
  },
  async 'training-pipeline-bad-column'() {
    const spec = base('bad-column');
    return startTrainingPipeline(client, { ...spec, data: { ...spec.data, features: [{ name: 'nope', type: 'numeric' }] } }, { taskQueue: config.taskQueue, workflowId: 'history-bad-column' });
  },
  async 'hyperparameter-sweep'() {
    const spec = base('sweep', { sweep: { method: 'grid', parameters: { learningRate: [0.01, 0.001] }, concurrency: 2 } });
    return client.workflow.start('hyperparameterSweep', { args: [{ spec }], taskQueue: config.taskQueue, workflowId: 'history-sweep' });
  },
  async 'training-pipeline-sweep'() {
    // The pipeline runs the sweep as a child and deploys its winner; both histories are saved.
    const h = await start('swept', { approval: { mode: 'auto' }, sweep: { method: 'grid', parameters: { hiddenUnits: [[4], [8]] } } });
    await settle(h);
    await save(client, 'training-pipeline-sweep (child)', client.workflow.getHandle(`${h.workflowId}-sweep`));
    return h;
  },
  async 'continuous-training'() {
    await settle(await start('monitored', { approval: { mode: 'auto' } }));
    const h = await client.workflow.start('continuousTraining', { args: [base('monitored', { approval: { mode: 'auto' } })], taskQueue: config.taskQueue, workflowId: 'history-monitor' });
    await h.executeUpdate(setPolicyUpdate, { args: [{ cooldown: '1s', driftThreshold: 0.01 }] });
    await h.signal(newDataSignal);
    for (let i = 0; i < 400 && (await h.query(monitorStatusQuery)).decisions.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    await h.terminate('history exported');
    return h;
  },
  async 'deliver-notification'() {
    const receiver = await flakyReceiver();
    const notification = { id: 'history-delivery', event: 'deployed' as const, model: 'notified', version: 1, workflowId: 'history-approved', runId: 'r', at: '2024-05-01T10:00:00.000Z', details: { reviewer: 'ana' } };
    const h = await client.workflow.start('deliverNotification', { args: [{ target: { url: receiver.url, events: ['deployed'], format: 'json' }, notification }], taskQueue: config.taskQueue, workflowId: 'history-notify' });
    await h.result();
    receiver.close();
    return h;
  },
};

/** A receiver that refuses each delivery's first attempt, so the history holds a retry. */
async function flakyReceiver(): Promise<{ url: string; close(): void }> {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const id = String(req.headers['x-mlops-delivery']);
    req.resume();
    res.writeHead(seen.has(id) ? 204 : 503).end();
    seen.add(id);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, close: () => server.close() };
}

/** Saves the history the way `temporal workflow show --output json` prints it (what historyFromJSON reads). */
async function save(client: Client, name: string, handle: WorkflowHandle): Promise<void> {
  await settle(handle);
  const { stdout } = await promisify(execFile)(cli.path, ['workflow', 'show', '--workflow-id', handle.workflowId, '--output', 'json', '--address', config.temporalAddress], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const events = (JSON.parse(stdout) as { events: unknown[] }).events;
  // Named by workflow ID: replay must use the same ID (child workflow IDs derive from it).
  await writeFile(path.join(outDir, `${handle.workflowId}.json`), stdout);
  process.stderr.write(`saved ${name} as ${handle.workflowId}.json (${events.length} events)\n`);
}

try {
  await mkdir(outDir, { recursive: true });
  // `npm run histories:export -- NAME…` exports only the named scenarios.
  const only = process.argv.slice(2);
  for (const [name, run] of Object.entries(scenarios)) if (only.length === 0 || only.includes(name)) await save(client, name, await run());
} finally {
  worker.shutdown();
  await running;
  await Promise.all([connection.close(), client.connection.close()]);
  await server?.stop();
  await rm(home, { recursive: true, force: true });
}
