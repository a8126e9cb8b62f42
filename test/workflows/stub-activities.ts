/**
 * Workflow branch tests: the real workflows on the real dev server (vitest's global setup), with
 * activities that are plain functions returning canned, typed results. Each test names its model
 * and the activities its branch needs (`bench.use('name', {...})`) and reads what they were
 * called with; tests of different models run concurrently.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import type { MlopsActivities } from '../../activities/index.js';
import type { TrainResult } from '../../activities/train.js';
import type { DatasetRef } from '../../src/data/types.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { workflowsPath } from '../../src/temporal/plugin.js';

type Activities = MlopsActivities;
type Calls = { [K in keyof Activities]: Parameters<Activities[K]>[] };

const ref = (name: string) => ({ uri: `file:///stub/${name}`, sha256: 'a'.repeat(64), bytes: 1 });

export const stubDataset: DatasetRef = { ...ref('data.parquet'), rows: 100, columns: [{ name: 'x', type: 'DOUBLE' }, { name: 'y', type: 'DOUBLE' }] };

export const stubTraining: TrainResult = {
  bundle: ref('model.json'),
  backend: 'stub',
  epochs: 2,
  loss: 0.5,
  resumedFromEpoch: 0,
  stoppedEarly: false,
  // Opaque to the workflows: they hand it to deploy as it is.
  lineage: { stub: true } as unknown as TrainResult['lineage'],
};

/** Activities that succeed with canned results: data is fine, the model blessed, deploy numbers versions from 1. */
export function stubActivities(): Activities {
  let version = 0;
  return {
    prepareSpec: async (input) => ({ spec: parseSpec(input, 'stub'), specHash: 'b'.repeat(64), searchAttributes: false }),
    ingest: async () => stubDataset,
    validate: async () => ({ rowCount: 100, warnings: [], anomalies: [], statistics: ref('stats.json'), schema: ref('schema.json'), schemaSource: 'inferred', report: ref('validation.html'), summary: '100 rows, no anomalies' }),
    train: async () => stubTraining,
    evaluate: async () => ({ blessed: true, reasons: ['PASS rmse 1 ≤ 8'], metrics: { rmse: 1 }, rows: 20, evaluatedOn: 'test', objective: { metric: 'rmse', value: 1, direction: 'minimize' }, baseline: { strategy: 'mean', metrics: { rmse: 3 } } }),
    deploy: async () => ({ version: ++version, previousVersion: version > 1 ? version - 1 : null }),
    productionReference: async () => null,
    snapshotWindow: async () => ({ dataset: stubDataset }),
    monitorDrift: async () => ({ features: [], untested: [], driftedCount: 0, shareDrifted: 0, datasetDrift: false, shareThreshold: 0.2, referenceRows: 100, currentRows: 100, warnings: [], summary: 'no drift' }),
    livePerformance: async () => ({ rows: 0, byVersion: {} }),
    rollback: async (input) => ({ version: input.toVersion }),
    retrainingSpec: async (spec) => spec,
    recordRun: async () => {},
    recordMonitorCheck: async () => {},
    deliverWebhook: async () => ({ status: 204 }),
  };
}

/** A minimal spec; `extra` replaces whole sections. */
export function stubSpec(name: string, extra: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return {
    name,
    task: 'regression',
    data: { source: '/stub/data.csv', target: 'y', features: [{ name: 'x', type: 'numeric' }] },
    ...extra,
  };
}

export interface WorkflowBench {
  readonly client: Client;
  readonly taskQueue: string;
  /**
   * The activities that runs of model `model` (the spec's name) get: stubActivities' defaults with
   * `overrides`. Tests with different model names run side by side.
   */
  use(model: string, overrides?: Partial<Activities>): Stubs;
  close(): Promise<void>;
}

export interface Stubs {
  /** What each activity was called with, for this model. */
  readonly calls: Calls;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** One worker per test file on its own task queue; the workflow code is bundled once per file. */
export async function workflowBench(name: string): Promise<WorkflowBench> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quiet });
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const taskQueue = `stub-${name}-${process.pid}`;
  const models = new Map<string, { activities: Activities; calls: Record<string, unknown[][]> }>();
  // Each activity forwards to the implementation of the model it works on, recording its arguments.
  const activities = Object.fromEntries(
    Object.keys(stubActivities()).map((key) => [
      key,
      (...args: unknown[]) => {
        const model = modelOf(args[0]);
        const stubs = models.get(model);
        if (!stubs) throw new Error(`no stub activities for model "${model}"; call bench.use("${model}") first`);
        (stubs.calls[key] ??= []).push(args);
        return (stubs.activities[key as keyof Activities] as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    ]),
  );
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection: workerConnection, namespace, taskQueue, workflowBundle: await bundle, activities });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  return {
    client,
    taskQueue,
    use(model, overrides = {}) {
      const stubs = { activities: { ...stubActivities(), ...overrides }, calls: {} };
      models.set(model, stubs);
      return { calls: stubs.calls as Calls };
    },
    async close() {
      worker.shutdown();
      await running;
      await Promise.all([workerConnection.close(), connection.close()]);
    },
  };
}

/** The model an activity works on: its first argument is the name, a spec, or holds one (`{ spec }`, `{ name }`, a record's `{ model }`, `{ notification }`). */
function modelOf(first: unknown): string {
  if (typeof first === 'string') return first;
  const input = first as { name?: unknown; model?: unknown; spec?: { name?: unknown }; notification?: { model?: unknown } } | undefined;
  return String(input?.name ?? input?.spec?.name ?? input?.model ?? input?.notification?.model);
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as Parameters<typeof bundleWorkflowCode>[0]['logger'];

/** Polls `read` until `done` holds (every 100 ms, up to `ms`). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A promise with its resolve function, for activities that wait until the test lets them go. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
