/**
 * Issue 6's scale figures, on a local dev server:
 * - orchestration overhead per pipeline step: a run's wall time (first to last history event)
 *   minus its activities' own run time, divided by the number of steps; median over runs. An
 *   activity's own run time is timed inside the worker, around the activity function, so
 *   dispatch, reporting and the server's bookkeeping all count as overhead;
 * - 200 concurrent continuousTraining workflows idle between checks on one worker: the worker
 *   process's CPU and memory over an idle period;
 * - history length per run of a monitor that continues-as-new (bounded).
 */
import { Context } from '@temporalio/activity';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Worker, type ActivityInboundCallsInterceptor } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTrips } from '../examples/taxi/generate.js';
import { loadConfig, type MlopsConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { parseSpec } from '../src/spec/parse.js';
import { connectClient } from '../src/temporal/client.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { startTrainingPipeline } from '../src/temporal/pipeline-client.js';
import { findTemporalCli } from '../src/temporal/temporal-cli.js';
import { createMlopsWorker } from '../src/temporal/worker.js';
import { monitorStatusQuery, newDataSignal, setPolicyUpdate } from '../workflows/monitor-messages.js';
import { productionVersion, registerFleet, settleMonitors } from './fleet-models.js';
import { median, type BenchResult } from './harness.js';
import type { NoopActivities } from './workflows/noop-steps.js';

const { temporal } = proto;
const EventType = temporal.api.enums.v1.EventType;
const suite = 'orchestration';

export default async function orchestration(): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-orch-'));
  const cli = await findTemporalCli();
  const server = await startDevServer({ cliPath: cli.path, port: 'auto', uiPort: 'auto', dbFile: path.join(home, 'temporal.sqlite'), log: () => undefined });
  const config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: server.address, MLOPS_TASK_QUEUE: 'bench' });
  await generateTrips({ outDir: path.join(home, 'data'), months: 1, rowsPerMonth: 500, seed: 5 });
  // Both workers time each activity's own run (see activityTimer).
  const timedActivities = { activity: [() => ({ inbound: activityTimer })] };
  const { worker, connection } = await createMlopsWorker({ config, logger: createLogger('bench', 'warn'), baseDir: home, interceptors: timedActivities });
  const baselineWorker = await Worker.create({
    connection,
    taskQueue: 'bench-baseline',
    workflowsPath: fileURLToPath(new URL('./workflows/noop-steps.ts', import.meta.url)),
    activities: { noop: async (step: number) => step } satisfies NoopActivities,
    interceptors: timedActivities,
  });
  const running = Promise.all([worker.run(), baselineWorker.run()]);
  const client = await connectClient(config);
  const spec = (name: string) =>
    parseSpec(
      {
        name,
        task: 'regression',
        data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }] },
        model: { hiddenUnits: [4], epochs: 1, batchSize: 256 },
        approval: { mode: 'auto' },
        monitoring: { source: 'none/*.parquet', interval: '1h' },
      },
      'bench',
    );
  try {
    return [...(await stepOverhead(client, config.taskQueue, spec)), ...(await idleMonitors(client, config, spec)), ...(await boundedHistory(client, config.taskQueue, spec))];
  } finally {
    worker.shutdown();
    baselineWorker.shutdown();
    await running;
    await Promise.all([connection.close(), client.connection.close()]);
    await server.stop();
    await rm(home, { recursive: true, force: true });
  }
}

type SpecFor = (name: string) => ReturnType<typeof parseSpec>;

/** Own run time of each activity, in ms, by workflow run ID. */
const activityMs = new Map<string, number[]>();
const activityTimer: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    const started = performance.now();
    try {
      return await next(input);
    } finally {
      const runId = Context.current().info.workflowExecution?.runId ?? '';
      let times = activityMs.get(runId);
      if (!times) activityMs.set(runId, (times = []));
      times.push(performance.now() - started);
    }
  },
};

type Breakdown = Record<'workflowTaskWait' | 'workflowTask' | 'activityDispatch' | 'activityReport', number>;

/** Overhead per step of one finished run, and where it went (per step, from the history's timestamps). */
async function overheadOf(handle: WorkflowHandleWithFirstExecutionRunId): Promise<{ perStep: number; parts: Breakdown }> {
  await handle.result();
  const list = (await handle.fetchHistory()).events ?? [];
  const ms = (e: (typeof list)[number] | undefined) => Number(e?.eventTime?.seconds ?? 0) * 1000 + (e?.eventTime?.nanos ?? 0) / 1e6;
  const own = activityMs.get(handle.firstExecutionRunId) ?? [];
  if (own.length === 0) throw new Error(`no activity timings recorded for run ${handle.firstExecutionRunId}`);
  const ownTotal = own.reduce((a, b) => a + b, 0);
  const at = new Map(list.map((e) => [Number(e.eventId), ms(e)]));
  const since = (e: (typeof list)[number], earlier: unknown) => ms(e) - (at.get(Number(earlier)) ?? ms(e));
  const parts: Breakdown = { workflowTaskWait: 0, workflowTask: 0, activityDispatch: 0, activityReport: -ownTotal };
  for (const e of list) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) parts.workflowTaskWait += since(e, e.workflowTaskStartedEventAttributes?.scheduledEventId);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) parts.workflowTask += since(e, e.workflowTaskCompletedEventAttributes?.startedEventId);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) parts.activityDispatch += since(e, e.activityTaskStartedEventAttributes?.scheduledEventId);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) parts.activityReport += since(e, e.activityTaskCompletedEventAttributes?.startedEventId);
  }
  const steps = own.length;
  for (const key of Object.keys(parts) as (keyof Breakdown)[]) parts[key] /= steps;
  return { perStep: (ms(list.at(-1)) - ms(list[0]) - ownTotal) / steps, parts };
}

async function stepOverhead(client: Client, taskQueue: string, spec: SpecFor): Promise<BenchResult[]> {
  const ours: Awaited<ReturnType<typeof overheadOf>>[] = [];
  const baseline: number[] = [];
  // Alternate the pipeline and the baseline so both see the same machine; the first of each warms up.
  for (let i = 0; i < 7; i++) {
    const run = await overheadOf(await startTrainingPipeline(client, spec('bench-steps'), { taskQueue }));
    const noop = await overheadOf(await client.workflow.start('noopSteps', { args: [6], taskQueue: 'bench-baseline', workflowId: `bench-noop-${i}-${Date.now()}` }));
    if (i === 0) continue;
    ours.push(run);
    baseline.push(noop.perStep);
  }
  const value = median(ours.map((r) => r.perStep));
  const floor = median(baseline);
  const part = (key: keyof Breakdown) => median(ours.map((r) => r.parts[key])).toFixed(1);
  return [
    {
      suite,
      name: 'orchestration overhead per pipeline step (median of 6 runs)',
      unit: 'ms',
      value,
      baseline: { name: 'a workflow of 6 no-op activities on the same server and worker process', value: floor },
      ratio: value / floor,
      target: '< 30 ms',
      pass: value < 30,
      note: `run wall time minus the activities' own run time (timed in the worker), per step; of it, medians per step: ${part('workflowTaskWait')} ms workflow task waiting for the worker, ${part('workflowTask')} ms workflow task processing and reply, ${part('activityDispatch')} ms activity dispatch (eager execution on), ${part('activityReport')} ms activity start and result reporting`,
    },
  ];
}

async function idleMonitors(client: Client, config: MlopsConfig, spec: SpecFor): Promise<BenchResult[]> {
  const count = 200;
  // Truly idle: each has a production model (a copy of the one stepOverhead deployed), and no new data arrives.
  const names = await registerFleet(config, await productionVersion(config, 'bench-steps'), 'idle', count);
  const handles = await Promise.all(
    names.map((name) => client.workflow.start('continuousTraining', { args: [spec(name)], taskQueue: config.taskQueue, workflowId: `bench-${name}-${Date.now()}` })),
  );
  await settleMonitors(handles);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const idleMs = 15_000;
  await new Promise((r) => setTimeout(r, idleMs));
  const cpu = process.cpuUsage(cpu0);
  const cpuShare = (cpu.user + cpu.system) / 1000 / idleMs;
  const rss = process.memoryUsage().rss;
  await Promise.all(handles.map((h) => h.terminate('bench done')));
  return [
    { suite, name: `worker CPU with ${count} idle continuousTraining workflows`, unit: '% of one core', value: cpuShare * 100, note: `over ${idleMs / 1000} s idle` },
    { suite, name: `worker RSS with ${count} idle continuousTraining workflows`, unit: 'MiB', value: rss / 2 ** 20, note: `RSS when they started: ${(rssBefore / 2 ** 20).toFixed(0)} MiB` },
  ];
}

async function boundedHistory(client: Client, taskQueue: string, spec: SpecFor): Promise<BenchResult[]> {
  const id = `bench-can-${Date.now()}`;
  const handle = await client.workflow.start('continuousTraining', { args: [spec('bench-can')], taskQueue, workflowId: id });
  await handle.executeUpdate(setPolicyUpdate, { args: [{ checksPerRun: 3, cooldown: '1h' }] });
  // No production model: the first check trains one (auto approval); later checks find nothing new.
  const runs = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const latest = client.workflow.getHandle(id);
    const before = (await latest.query(monitorStatusQuery)).checks;
    await latest.signal(newDataSignal);
    // One check at a time: wait until this signal's check is recorded (possibly in the next run).
    for (let tries = 0; tries < 300 && (await latest.query(monitorStatusQuery).then((st) => st.checks, () => before)) <= before; tries++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    runs.add((await latest.describe()).runId);
  }
  let maxEvents = 0;
  for (const runId of runs) {
    const history = await client.workflow.getHandle(id, runId).fetchHistory();
    maxEvents = Math.max(maxEvents, history.events?.length ?? 0);
  }
  await client.workflow.getHandle(id).terminate('bench done');
  return [{ suite, name: 'continuousTraining history events per run (checksPerRun 3, 12 checks)', unit: 'events', value: maxEvents, note: `${runs.size} runs seen through continue-as-new; a run never exceeds this` }];
}
