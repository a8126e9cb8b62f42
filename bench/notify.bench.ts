/**
 * Delay from an event to its delivery (issue 21's target: < 2 s): real pipelines on a local dev
 * server notify a local receiver; the delay is the receiver's clock at the accepted delivery
 * minus the event's `at` (the workflow clock when the pipeline reached the event), median over
 * the runs' `awaiting-approval` and `deployed` events. Baseline: one direct signed POST of the
 * same notification (no Temporal), measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateTrips } from '../examples/taxi/generate.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { deliver } from '../src/notify/deliver.js';
import { parseSpec } from '../src/spec/parse.js';
import { connectClient } from '../src/temporal/client.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { approve, startTrainingPipeline, waitForStage } from '../src/temporal/pipeline-client.js';
import { findTemporalCli } from '../src/temporal/temporal-cli.js';
import { createMlopsWorker } from '../src/temporal/worker.js';
import { startWebhookReceiver } from '../test/services/webhook-receiver.js';
import { median, timeMedianMs, type BenchResult } from './harness.js';

const suite = 'notify';
const runs = 3;

export default async function notifyBench(): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-notify-'));
  const cli = await findTemporalCli();
  const server = await startDevServer({ cliPath: cli.path, port: 'auto', uiPort: 'auto', dbFile: path.join(home, 'temporal.sqlite'), log: () => undefined });
  process.env.MLOPS_BENCH_WEBHOOK_SECRET = 'bench-secret';
  const receiver = await startWebhookReceiver('bench-secret');
  const config = loadConfig({ MLOPS_HOME: home, TEMPORAL_ADDRESS: server.address, MLOPS_TASK_QUEUE: 'bench-notify' });
  await generateTrips({ outDir: path.join(home, 'data'), months: 1, rowsPerMonth: 500, seed: 5 });
  const { worker, connection } = await createMlopsWorker({ config, logger: createLogger('bench', 'warn'), baseDir: home });
  const running = worker.run();
  const client = await connectClient(config);
  try {
    const target = { url: receiver.url, secretEnv: 'MLOPS_BENCH_WEBHOOK_SECRET', events: ['awaiting-approval' as const, 'deployed' as const] };
    const delays: number[] = [];
    for (let i = 0; i < runs; i++) {
      const spec = parseSpec(
        { name: 'bench-notify', task: 'regression', data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }] }, model: { hiddenUnits: [4], epochs: 1, batchSize: 256 }, notify: [target] },
        'bench',
      );
      const handle = await startTrainingPipeline(client, spec, { taskQueue: config.taskQueue });
      await waitForStage(handle, ['awaiting-approval']);
      const waiting = await receiver.waitFor((n) => n.workflowId === handle.workflowId && n.event === 'awaiting-approval');
      await approve(handle, 'bench');
      await handle.result();
      const deployed = await receiver.waitFor((n) => n.workflowId === handle.workflowId && n.event === 'deployed');
      for (const d of [waiting, deployed]) delays.push(d.at - Date.parse(d.body.at));
    }
    const direct = await timeMedianMs(10, () => deliver({ ...target, format: 'json' }, { ...receiver.accepted()[0]!.body, id: `direct-${Math.random()}` }));
    const delay = median(delays);
    return [
      {
        suite,
        name: 'event → delivery delay (median)',
        unit: 'ms',
        value: delay,
        baseline: { name: 'one direct signed POST', value: direct },
        ratio: delay / direct,
        target: '< 2000 ms',
        pass: delay < 2000,
        note: `${delays.length} events from ${runs} pipelines; max ${Math.round(Math.max(...delays))} ms`,
      },
    ];
  } finally {
    worker.shutdown();
    await running;
    await Promise.all([connection.close(), client.connection.close(), receiver.close()]);
    await server.stop();
    await rm(home, { recursive: true, force: true });
  }
}
