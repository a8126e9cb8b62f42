/**
 * The loop closed on production traffic: v1 trains and deploys, the model servers' shipped
 * inference log holds drifted instances and `:feedback` labels far from the predictions, and
 * continuousTraining with `monitoring.source: inference-log` measures drift on the served rows,
 * live performance on the labelled ones, and retrains on v1's data plus those labelled rows.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { DataEngine, quoteLiteral } from '../../src/data/engine.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { PipelineSpec } from '../../src/spec/schema.js';
import { startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { monitorStatusQuery, newDataSignal, type MonitorStatus } from '../../workflows/monitor-messages.js';
import { shipLabels, shipPredictions } from '../unit/monitoring/segments.js';
import { startHarness, taxiSpec, type Harness } from './harness.js';
import { rowCount } from './row-count.js';

const served = 300;
const labelled = 200;


/** Drifted later-month trips, as the model servers would have logged them in the last minutes. */
async function shipTraffic(h: Harness, store: FileArtifactStore, spec: PipelineSpec): Promise<void> {
  const [file] = await generateTrips({ outDir: path.join(h.config.home, 'later'), months: 1, rowsPerMonth: served, seed: 11, startMonth: 7 });
  const engine = await DataEngine.open({ threads: 1 });
  const trips = await engine.rows(`SELECT trip_distance, hour, PULocationID, duration_min FROM read_parquet(${quoteLiteral(file as string)})`).finally(() => engine.close());
  const now = Date.now();
  const deps = { store, registry: h.registry };
  await shipPredictions(
    deps,
    spec.name,
    trips.map((t, i) => ({
      at: new Date(now - 20 * 60_000 + i * 1000),
      requestId: `req-${i}`,
      features: { trip_distance: Number(t['trip_distance']), hour: Number(t['hour']), PULocationID: String(t['PULocationID']) },
      prediction: 0,
    })),
  );
  // The world changed: true durations are far longer than the model learned (decay).
  await shipLabels(
    deps,
    spec.name,
    trips.slice(0, labelled).map((t, i) => ({ at: new Date(now - 60_000), requestId: `req-${i}`, label: 3 * Number(t['duration_min']) + 20 })),
  );
}

async function until(handle: { query: (q: typeof monitorStatusQuery) => Promise<MonitorStatus> }, ok: (s: MonitorStatus) => boolean, what: string): Promise<MonitorStatus> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = await handle.query(monitorStatusQuery);
    if (ok(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('continuousTraining on the inference log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('it-ct-log');
  });
  afterAll(async () => h?.close());

  it('measures drift on served rows and live performance from labels, and retrains on training data plus labelled traffic', async () => {
    const store = new FileArtifactStore(h.config.artifactsDir);
    const spec = parseSpec(taxiSpec(h, { name: 'taxi-log', approval: { mode: 'auto' }, monitoring: { source: 'inference-log', interval: '1h' } }), 'test');
    expect((await (await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue })).result()).version).toBe(1);
    await shipTraffic(h, store, spec);

    const monitor = await h.client.workflow.start('continuousTraining', { args: [spec], taskQueue: h.config.taskQueue, workflowId: `ct-log-${Date.now()}` });
    await monitor.signal(newDataSignal);
    const done = await until(monitor, (s) => s.decisions.some((d) => d.action === 'retrain' && d.deployedVersion !== undefined), 'a retrain');
    await monitor.terminate('test done');

    const decision = done.decisions.find((d) => d.action === 'retrain');
    expect(decision?.deployedVersion).toBe(2);
    expect(decision?.reasons.join('; ')).toMatch(/drift: .* of features drifted/);
    expect(decision?.reasons.join('; ')).toMatch(/decay: live rmse .* worse than at evaluation/);
    expect(done.lastDrift?.rows).toBe(served);
    expect(done.lastDrift?.features.some((f) => f.drifted)).toBe(true);
    expect(done.livePerformance?.['1']?.['rmse']).toBeGreaterThan(0);

    const model = await h.registry.getModel('taxi-log');
    const [v1, v2] = model?.versions ?? [];
    expect(model?.aliases.production).toBe(2);
    expect(await rowCount(store, v2!.lineage.dataset)).toBe((await rowCount(store, v1!.lineage.dataset)) + labelled);
  });
});
