/** Every branch of continuousTraining, with stub activities (test/workflows/stub-activities.ts). */
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductionReference } from '../../activities/production-reference.js';
import type { DriftSummary } from '../../activities/monitor-drift.js';
import { pipelineSpecSchema, type PipelineSpecInput } from '../../src/spec/schema.js';
import { monitorStatusQuery, newDataSignal, pauseSignal, resumeSignal, retrainNowSignal, setPolicyUpdate, type MonitorDecision, type MonitorStatus } from '../../workflows/monitor-messages.js';
import { jitterMs } from '../../workflows/jitter.js';
import { stubActivities, stubDataset, stubSpec, until, workflowBench, type WorkflowBench } from './stub-activities.js';

let bench: WorkflowBench;
beforeAll(async () => {
  bench = await workflowBench('monitor');
});
const started: WorkflowHandle[] = [];
afterAll(async () => {
  // Monitors run for ever: end them before their worker goes.
  await Promise.all(started.map((h) => h.terminate('test done').catch(() => undefined)));
  await bench?.close();
});

let runs = 0;
async function start(name: string, monitoring: PipelineSpecInput['monitoring'] = { interval: '1s' }, extra: Partial<PipelineSpecInput> = {}): Promise<WorkflowHandle> {
  const spec = stubSpec(name, { approval: { mode: 'auto' }, monitoring: { source: '/stub/incoming.csv', ...monitoring }, ...extra });
  const h = await bench.client.workflow.start('continuousTraining', { args: [spec], taskQueue: bench.taskQueue, workflowId: `stub-monitor-${name}-${Date.now()}-${runs++}` });
  started.push(h);
  return h;
}
const status = (h: WorkflowHandle) => h.query(monitorStatusQuery);
const decisions = (h: WorkflowHandle, n: number, ms?: number) => until(() => status(h), (s) => s.decisions.length >= n, ms);
const actions = (s: MonitorStatus) => s.decisions.map((d: MonitorDecision) => d.action);

/** Production is v1, trained on the stub snapshot, evaluated at rmse 1. */
const production = (version = 1, previousVersion: number | null = null): ProductionReference => ({ version, previousVersion, dataset: stubDataset, metrics: { rmse: 1 } });
const drifted = async (): Promise<DriftSummary> => ({ ...(await stubActivities().monitorDrift({} as never)), shareDrifted: 0.5, driftedCount: 1 });

describe.concurrent('continuousTraining', () => {
  it('a new monitor checks at once: with interval 1h the first decision comes within seconds', async () => {
    bench.use('at-start', { productionReference: async () => production() });
    const h = await start('at-start', { interval: '1h' });
    const s = await decisions(h, 1, 15_000);
    expect(s.decisions[0]).toMatchObject({ action: 'none', productionVersion: 1, reasons: ['no drift or decay beyond the policy'] });
    expect(s.checks).toBe(1);
  });

  it('no production version yet: the first check trains one through a child pipeline', async () => {
    const stubs = bench.use('first');
    const h = await start('first');
    const s = await decisions(h, 1);
    expect(s.decisions[0]).toMatchObject({ action: 'retrain', reasons: ['no production version yet'], productionVersion: null, deployedVersion: 1 });
    expect(s.decisions[0]?.retrainWorkflowId).toBe(`${h.workflowId}-retrain-1`);
    expect(stubs.calls.deploy).toHaveLength(1);
    expect(stubs.calls.snapshotWindow).toBeUndefined();
  });

  it('drift beyond the policy retrains on the retraining spec', async () => {
    const stubs = bench.use('drift', { productionReference: async () => production(), monitorDrift: drifted, retrainingSpec: async (spec) => ({ ...spec, data: { ...spec.data, source: undefined, query: 'SELECT 1' } }) });
    const notify = [{ url: 'https://hooks.example.com/mlops', events: ['drift' as const, 'deployed' as const] }];
    const h = await start('drift', { interval: '1s', drift: { threshold: 0.3 } }, { notify });
    const s = await decisions(h, 1);
    expect(s.decisions[0]).toMatchObject({ action: 'retrain', deployedVersion: 1, reasons: ['drift: 50% of features drifted (policy 30%)'] });
    // The check is kept in the registry, and the receiver told about the drift and the retrain's deployment.
    await until(async () => stubs.calls.deliverWebhook?.length ?? 0, (n) => n >= 2);
    expect(stubs.calls.recordMonitorCheck[0]?.[0]).toMatchObject({ action: 'retrain', productionVersion: 1, drift: { shareDrifted: 0.5, datasetDrift: true, threshold: 0.3 }, retrainWorkflowId: expect.stringContaining('-retrain-'), deployedVersion: 1 });
    expect(stubs.calls.deliverWebhook.map(([d]) => d.notification.event).sort()).toEqual(['deployed', 'drift']);
    expect(stubs.calls.recordRun.map(([r]) => r.outcome)).toEqual(['running', 'deployed']);
    expect(s.lastDrift).toMatchObject({ datasetDrift: true, shareDrifted: 0.5 });
    expect(stubs.calls.monitorDrift[0]?.[0]).toMatchObject({ reference: stubDataset, current: stubDataset });
    // The child pipeline trained on what retrainingSpec returned.
    expect(stubs.calls.ingest[0]?.[0].data.query).toBe('SELECT 1');
  });

  it('a failed check (an unreadable log) is a recorded warning, and the next check still runs', async () => {
    let calls = 0;
    const unreadable = async (): Promise<DriftSummary> => {
      calls++;
      if (calls === 1) throw ApplicationFailure.create({ type: 'DataUnreadable', message: 'the inference log of model "bad-log" is unreadable', nonRetryable: true });
      return stubActivities().monitorDrift({} as never);
    };
    bench.use('bad-log', { productionReference: async () => production(), monitorDrift: unreadable });
    const h = await start('bad-log');
    const first = await decisions(h, 1);
    expect(first.decisions[0]).toMatchObject({ action: 'none', reasons: [expect.stringMatching(/^check failed: .*unreadable; the next check is still scheduled$/)] });
    expect(first.warnings.some((w) => w.startsWith('check failed:'))).toBe(true);
    const second = await decisions(h, 2);
    expect(second.decisions[1]).toMatchObject({ action: 'none', reasons: ['no drift or decay beyond the policy'] });
    expect((await h.describe()).status.name).toBe('RUNNING');
  });

  it('drift below the policy threshold is no reason to retrain', async () => {
    bench.use('little-drift', { productionReference: async () => production(), monitorDrift: drifted });
    const h = await start('little-drift', { interval: '1s', drift: { threshold: 0.6 } });
    const s = await decisions(h, 1);
    expect(s.decisions[0]?.action).toBe('none');
    expect(s.lastDrift?.datasetDrift).toBe(false);
  });

  it('decay of live performance beyond decayMargin retrains', async () => {
    const stubs = bench.use('decay', { productionReference: async () => production(), livePerformance: async () => ({ rows: 50, byVersion: { 1: { rmse: 1.5 } } }) });
    const h = await start('decay', { interval: '1s', decayMargin: 0.2 });
    const s = await decisions(h, 1);
    expect(s.decisions[0]).toMatchObject({ action: 'retrain', reasons: ['decay: live rmse 1.5 is 50% worse than at evaluation (1; policy 20%)'] });
    expect(s.livePerformance).toEqual({ 1: { rmse: 1.5 } });
    expect(stubs.calls.livePerformance[0]?.[0].versions).toEqual([1]);
  });

  it('a new version worse live than its predecessor is rolled back, without retraining', async () => {
    const stubs = bench.use('rollback', { productionReference: async () => production(2, 1), livePerformance: async () => ({ rows: 50, byVersion: { 2: { rmse: 2 }, 1: { rmse: 1 } } }) });
    const h = await start('rollback', { interval: '1s', rollbackMargin: 0.1 });
    const s = await decisions(h, 1);
    expect(s.decisions[0]).toMatchObject({ action: 'rollback', productionVersion: 1, reasons: ['v2 live rmse 2 is 100% worse than v1 (1; policy 10%)'] });
    expect(stubs.calls.rollback[0]?.[0]).toEqual({ name: 'rollback', toVersion: 1, reason: 'v2 live rmse 2 is 100% worse than v1 (1; policy 10%)' });
    expect(stubs.calls.deploy).toBeUndefined();
  });

  it('within the cooldown a second reason to retrain is skipped; retrainNow is not', async () => {
    bench.use('cooldown', { productionReference: async () => production(), monitorDrift: drifted });
    const h = await start('cooldown', { interval: '1s', cooldown: '1h' });
    const s = await decisions(h, 2);
    expect(actions(s).slice(0, 2)).toEqual(['retrain', 'skipped']);
    expect(s.decisions[1]?.reasons).toContain('cooldown: last retrain less than 1h ago');
    await h.signal(retrainNowSignal, { reason: 'a human asked' });
    const after = await until(() => status(h), (x) => x.decisions.some((d, i) => i > 0 && d.action === 'retrain'));
    expect(after.decisions.find((d, i) => i > 0 && d.action === 'retrain')?.reasons).toContain('a human asked');
  });

  it('retrainNow retrains at once even without drift', async () => {
    bench.use('retrain-now', { productionReference: async () => production() });
    const h = await start('retrain-now', { interval: '1h' });
    await decisions(h, 1);
    await h.signal(retrainNowSignal, { reason: 'new labels' });
    const s = await decisions(h, 2);
    expect(s.decisions[1]).toMatchObject({ action: 'retrain', reasons: ['new labels'], deployedVersion: 1 });
  });

  it('startJitter spreads the first check by a share picked from the workflow ID; a signal still checks at once', async () => {
    bench.use('jitter', { productionReference: async () => production() });
    const h = await start('jitter', { interval: '1h', startJitter: '1h' });
    const waiting = await until(() => status(h), (x) => x.nextCheckAt !== null);
    expect(waiting.checks).toBe(0);
    const startedAt = (await h.describe()).startTime.getTime();
    const wait = new Date(waiting.nextCheckAt!).getTime() - startedAt;
    // The workflow read its clock at its first task, a moment after the start.
    expect(wait).toBeGreaterThanOrEqual(jitterMs(h.workflowId, 3_600_000));
    expect(wait).toBeLessThan(jitterMs(h.workflowId, 3_600_000) + 30_000);
    await h.signal(newDataSignal, {});
    expect((await decisions(h, 1)).checks).toBe(1);
  });

  it('newData checks at once, on the signalled source', async () => {
    const stubs = bench.use('new-data', { productionReference: async () => production() });
    const h = await start('new-data', { interval: '1h' });
    await decisions(h, 1);
    await h.signal(newDataSignal, { source: '/stub/other.csv' });
    await decisions(h, 2);
    expect(stubs.calls.snapshotWindow.map(([input]) => input.source)).toEqual(['/stub/incoming.csv', '/stub/other.csv']);
  });

  it('pause stops the checks until resume', async () => {
    bench.use('paused', { productionReference: async () => production() });
    const h = await start('paused', { interval: '1s' });
    await decisions(h, 1);
    await h.signal(pauseSignal);
    const paused = await until(() => status(h), (s) => s.paused);
    await new Promise((r) => setTimeout(r, 2_500));
    const still = await status(h);
    // At most the check that was already running when the pause arrived.
    expect(still.checks).toBeLessThanOrEqual(paused.checks + 1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await status(h)).checks).toBe(still.checks);
    await h.signal(resumeSignal);
    const resumed = await until(() => status(h), (s) => s.checks > still.checks);
    expect(resumed.paused).toBe(false);
  });

  it('setPolicy validates its input and applies a valid change', async () => {
    bench.use('policy', { productionReference: async () => production() });
    const h = await start('policy', { interval: '1h' });
    const refusal = (change: object) => h.executeUpdate(setPolicyUpdate, { args: [change] }).then(() => 'accepted', (e: unknown) => (e instanceof WorkflowUpdateFailedError && e.cause instanceof Error ? e.cause.message : String(e)));
    expect(await refusal({ driftThreshold: 2 })).toMatch(/driftThreshold is a share of features in \(0, 1\]/);
    expect(await refusal({ interval: '10ms' })).toMatch(/interval must be a duration of at least 1s/);
    expect(await refusal({ threshold: 0.3 })).toMatch(/unknown policy field\(s\) threshold/);
    expect(await refusal({ checksPerRun: 0 })).toMatch(/checksPerRun is an integer from 1 to 10000/);
    expect(await refusal({ rollbackMargin: -1 })).toMatch(/rollbackMargin is a share between 0 and 10/);
    const policy = await h.executeUpdate(setPolicyUpdate, { args: [{ driftThreshold: 0.3, cooldown: '2h' }] });
    expect(policy).toMatchObject({ interval: '1h', driftThreshold: 0.3, cooldown: '2h' });
    expect((await status(h)).policy).toEqual(policy);
  });

  it('continues as new after checksPerRun checks, carrying checks, decisions and policy', async () => {
    bench.use('carry', { productionReference: async () => production() });
    const h = await start('carry', { interval: '1s' });
    await h.executeUpdate(setPolicyUpdate, { args: [{ checksPerRun: 2, decayMargin: 0.5 }] });
    const firstRun = (await h.describe()).runId;
    const s = await decisions(h, 4);
    expect((await h.describe()).runId).not.toBe(firstRun);
    expect(s.checks).toBeGreaterThanOrEqual(4);
    expect(s.policy).toMatchObject({ checksPerRun: 2, decayMargin: 0.5 });
    // The carried run waits its interval instead of checking at once: decisions stay one interval apart.
    const times = s.decisions.map((d) => Date.parse(d.at));
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(900);
  });

  it('before the spec is read, the policy shown is the schema\'s defaults', async () => {
    bench.use('placeholder', {
      prepareSpec: async () => {
        throw ApplicationFailure.nonRetryable('invalid pipeline spec', 'SpecInvalid');
      },
    });
    const h = await start('placeholder');
    expect(await h.result().catch((e: unknown) => e)).toBeInstanceOf(WorkflowFailedError);
    const defaults = pipelineSpecSchema.parse(stubSpec('x')).monitoring;
    expect((await status(h)).policy).toMatchObject({ interval: defaults.interval, driftThreshold: defaults.drift.threshold, decayMargin: defaults.decayMargin, rollbackMargin: defaults.rollbackMargin, cooldown: defaults.interval });
  });
});
