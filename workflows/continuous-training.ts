/**
 * continuousTraining(spec): the months-long monitor → measure → retrain → serve loop.
 * On a durable timer (or a `newData`/`retrainNow` signal) it snapshots the monitoring window,
 * measures drift against the production model's training data and, where labels exist, live
 * performance; when drift or decay passes the policy it retrains through a child
 * `trainingPipeline` (approval gate included), debounced by a cooldown. A freshly deployed
 * version that is worse live than its predecessor is rolled back. The loop continues-as-new
 * before its history grows large, carrying its state.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MlopsActivities } from '../activities/index.js';
import type { PipelineSpec, PipelineSpecInput } from '../src/spec/schema.js';
import { workflowNow } from './clock.js';
import { durationMs } from '../src/shared/duration.js';
import { primaryMetric, worsening } from '../src/shared/objective.js';
import {
  monitorStatusQuery,
  newDataSignal,
  pauseSignal,
  resumeSignal,
  retrainNowSignal,
  setPolicyUpdate,
  type MonitorAction,
  type MonitorDecision,
  type MonitorPolicy,
  type MonitorStatus,
} from './monitor-messages.js';
import { monitoringDefaults } from '../src/shared/monitoring-defaults.js';
import { reportCheck } from './monitor-reporting.js';
import { notifier } from './notifier.js';
import { prepareSpec } from './prepare-spec.js';
import { stepOptions } from './step-options.js';
import { MlopsModelName, MlopsStage } from './search-attributes.js';
import { jitterMs } from './jitter.js';
import { fourDigits } from './text.js';
import { trainingPipeline } from './training-pipeline.js';

const steps = proxyActivities<MlopsActivities>({
  ...stepOptions,
  retry: { ...stepOptions.retry, maximumInterval: '1 minute' },
});

/** History stays bounded: a run hands over to a new one after this many checks at the latest. */
const defaultChecksPerRun = 100;
const maxDecisionsKept = 50;

/** What one run hands to the next through continue-as-new. */
export interface MonitorCarry {
  readonly status: MonitorStatus;
  readonly lastRetrainAt: number | null;
}

/** Monitors a deployed model (drift, live performance), retrains through a child `trainingPipeline`, rolls back; continues-as-new to keep its history bounded. */
export async function continuousTraining(input: PipelineSpecInput, carried?: MonitorCarry): Promise<void> {
  const status: MonitorStatus = carried?.status ?? {
    stage: 'monitoring',
    model: typeof input?.name === 'string' ? input.name : '(unnamed)',
    paused: false,
    // What a spec without a monitoring section gets, until prepareSpec has read the real one.
    policy: defaultPolicy(),
    checks: 0,
    nextCheckAt: null,
    lastDrift: null,
    livePerformance: null,
    decisions: [],
    retrainWorkflowId: null,
    warnings: [],
  };
  let lastRetrainAt = carried?.lastRetrainAt ?? null;
  let wake: { retrain?: string; source?: string } | undefined;
  let checksThisRun = 0;
  /** Policy changes made by setPolicy, so the spec's defaults never overwrite them. */
  let policyChanges: Partial<MonitorPolicy> = {};

  setHandler(monitorStatusQuery, () => status);
  setHandler(pauseSignal, () => void (status.paused = true));
  setHandler(resumeSignal, () => void (status.paused = false));
  setHandler(retrainNowSignal, (body) => void (wake = { ...wake, retrain: body?.reason || 'retrainNow signal' }));
  setHandler(newDataSignal, (body) => void (wake = { ...wake, source: body?.source ?? wake?.source }));
  setHandler(
    setPolicyUpdate,
    (change) => {
      policyChanges = { ...policyChanges, ...change };
      status.policy = { ...status.policy, ...change };
      return status.policy;
    },
    { validator: validatePolicy },
  );

  // Checks are recorded in the registry and drift, decay and rollbacks notified since 0.4.0.
  const teamView = patched('track-runs-and-notify');
  const { spec, searchAttributes } = await prepareSpec(input);
  const notify = notifier(spec.name, spec.notify, teamView);
  if (!carried) {
    // 0.1.0 let the spec's policy overwrite a setPolicy that arrived before prepareSpec finished.
    status.policy = patched('keep-early-policy-changes') ? { ...policyFrom(spec), ...policyChanges } : policyFrom(spec);
  }
  if (searchAttributes) upsertSearchAttributes([{ key: MlopsModelName, value: spec.name }, { key: MlopsStage, value: 'monitoring' }]);

  // A new monitor checks at once instead of after a whole interval (0.2.0 and older waited first);
  // a run continued-as-new carries on with its predecessor's rhythm.
  let checkNow = !carried && patched('check-at-start');
  // Monitors started together spread their first checks over monitoring.startJitter (0.3.0 and older checked at once).
  let firstWait = checkNow && patched('first-check-jitter') ? jitterMs(workflowInfo().workflowId, durationMs(spec.monitoring.startJitter ?? '0s')) : 0;
  if (firstWait > 0) checkNow = false;
  for (;;) {
    if (workflowInfo().continueAsNewSuggested || checksThisRun >= status.policy.checksPerRun) {
      // Signals and updates in flight finish before the hand-over, so none is lost.
      await condition(allHandlersFinished);
      await continueAsNew<typeof continuousTraining>(input, { status, lastRetrainAt });
    }
    if (!checkNow) {
      const interval = firstWait > 0 ? firstWait : durationMs(status.policy.interval);
      firstWait = 0;
      status.nextCheckAt = new Date(workflowNow() + interval).toISOString();
      setCurrentDetails(`**monitoring** ${spec.name}${status.paused ? ' (paused)' : ''}; next check ${status.nextCheckAt}`);
      await condition(() => wake !== undefined && (!status.paused || wake.retrain !== undefined), interval);
    }
    checkNow = false;
    const trigger = wake;
    wake = undefined;
    if (status.paused && !trigger?.retrain) continue;
    checksThisRun++;
    status.checks++;
    // 0.3.0 and older failed the whole monitor when one check failed (say, an unreadable log).
    const decision = patched('check-failure-is-a-warning') ? await checkOrWarn(spec, status, trigger, lastRetrainAt) : await check(spec, status, trigger, lastRetrainAt);
    if (decision.action === 'retrain') lastRetrainAt = workflowNow();
    status.decisions = [...status.decisions, decision].slice(-maxDecisionsKept);
    if (teamView) await reportCheck(spec.name, status, decision, notify);
    log.info('monitor check', { action: decision.action, reasons: decision.reasons });
  }
}

// A months-long monitor moves to each new worker build at its next task (versioned workers only).
setWorkflowOptions(() => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}), continuousTraining);

/**
 * {@link check}, with a failure (an activity that gave up, e.g. on bad data) recorded as a warning
 * and a decision instead of failing the monitor: the next check stays scheduled. Cancellation is
 * not a failure and goes through.
 */
async function checkOrWarn(spec: PipelineSpec, status: MonitorStatus, trigger: { retrain?: string; source?: string } | undefined, lastRetrainAt: number | null): Promise<MonitorDecision> {
  const at = new Date(workflowNow()).toISOString();
  try {
    return await check(spec, status, trigger, lastRetrainAt);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    const warning = `check failed: ${cause}; the next check is still scheduled`;
    status.warnings = [...status.warnings, warning];
    log.warn('monitor check failed', { error: cause });
    return { at, action: 'none', reasons: [warning], productionVersion: null };
  }
}

/** One check: measure, then decide between nothing, a rollback and a retrain. */
async function check(spec: PipelineSpec, status: MonitorStatus, trigger: { retrain?: string; source?: string } | undefined, lastRetrainAt: number | null): Promise<MonitorDecision> {
  const at = new Date(workflowNow()).toISOString();
  const reasons: string[] = [];
  const production = await steps.productionReference(spec.name);
  const source = trigger?.source ?? spec.monitoring.source;
  status.warnings = [];

  if (production && source) {
    const window = await steps.snapshotWindow({ spec, source });
    if (window.warning) status.warnings.push(window.warning);
    if (window.dataset) {
      const drift = await steps.monitorDrift({ spec, reference: production.dataset, current: window.dataset });
      status.lastDrift = {
        at,
        rows: drift.currentRows,
        datasetDrift: drift.shareDrifted >= status.policy.driftThreshold,
        shareDrifted: drift.shareDrifted,
        features: drift.features.map((f) => ({ feature: f.feature, test: f.test, score: f.score, threshold: f.threshold, drifted: f.drifted })),
        report: drift.report?.uri,
      };
      if (status.lastDrift.datasetDrift) reasons.push(`drift: ${pct(drift.shareDrifted)} of features drifted (policy ${pct(status.policy.driftThreshold)})`);

      const versions = production.previousVersion === null ? [production.version] : [production.version, production.previousVersion];
      const live = await steps.livePerformance({ spec, window: window.dataset, versions });
      status.livePerformance = live.rows > 0 ? live.byVersion : null;
      const rollback = rollbackReason(spec, live.byVersion, production.version, production.previousVersion, status.policy.rollbackMargin);
      if (rollback && production.previousVersion !== null) {
        await steps.rollback({ name: spec.name, toVersion: production.previousVersion, reason: rollback });
        return { at, action: 'rollback', reasons: [rollback], productionVersion: production.previousVersion };
      }
      const decay = decayReason(spec, live.byVersion[String(production.version)], production.metrics, status.policy.decayMargin);
      if (decay) reasons.push(decay);
    }
  } else if (!production) {
    reasons.push('no production version yet');
  }
  if (trigger?.retrain) reasons.push(trigger.retrain);

  if (reasons.length === 0) return { at, action: 'none', reasons: ['no drift or decay beyond the policy'], productionVersion: production?.version ?? null };
  const cooldown = durationMs(status.policy.cooldown);
  if (!trigger?.retrain && lastRetrainAt !== null && workflowNow() - lastRetrainAt < cooldown) {
    return { at, action: 'skipped', reasons: [...reasons, `cooldown: last retrain less than ${status.policy.cooldown} ago`], productionVersion: production?.version ?? null };
  }
  return retrain(spec, status, at, reasons, production?.version ?? null);
}

async function retrain(spec: PipelineSpec, status: MonitorStatus, at: string, reasons: string[], productionVersion: number | null): Promise<MonitorDecision> {
  const retrainSpec = await steps.retrainingSpec(spec);
  const workflowId = `${workflowInfo().workflowId}-retrain-${status.checks}`;
  status.stage = 'retraining';
  status.retrainWorkflowId = workflowId;
  setCurrentDetails(`**retraining** ${spec.name}: ${reasons.join('; ')}. Approve: mlops approve ${workflowId} --reviewer NAME`);
  const action: MonitorAction = 'retrain';
  try {
    const result = await executeChild(trainingPipeline, { args: [retrainSpec], workflowId, taskQueue: workflowInfo().taskQueue });
    return { at, action, reasons, productionVersion, retrainWorkflowId: workflowId, deployedVersion: result.version };
  } catch (err) {
    const cause = err instanceof Error ? err.cause : undefined;
    const message = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
    return { at, action, reasons: [...reasons, `retrain failed: ${message}`], productionVersion, retrainWorkflowId: workflowId, deployedVersion: null };
  } finally {
    status.stage = 'monitoring';
    status.retrainWorkflowId = null;
  }
}

/** How much worse `mine` is than `theirs`, as a share (0 when not worse). */
function worseBy(metric: string, mine: number, theirs: number): number {
  if (!Number.isFinite(mine) || !Number.isFinite(theirs) || theirs === 0) return 0;
  return Math.max(0, worsening(metric, mine, theirs) / Math.abs(theirs));
}

function decayReason(spec: PipelineSpec, live: Record<string, number> | undefined, evaluated: Record<string, number>, margin: number): string | undefined {
  const metric = primaryMetric(spec.task);
  const now = live?.[metric];
  const then = evaluated[metric];
  if (now === undefined || then === undefined) return undefined;
  const worse = worseBy(metric, now, then);
  return worse > margin ? `decay: live ${metric} ${fourDigits(now)} is ${pct(worse)} worse than at evaluation (${fourDigits(then)}; policy ${pct(margin)})` : undefined;
}

function rollbackReason(spec: PipelineSpec, byVersion: Record<string, Record<string, number>>, current: number, previous: number | null, margin: number): string | undefined {
  if (previous === null) return undefined;
  const metric = primaryMetric(spec.task);
  const mine = byVersion[String(current)]?.[metric];
  const theirs = byVersion[String(previous)]?.[metric];
  if (mine === undefined || theirs === undefined) return undefined;
  const worse = worseBy(metric, mine, theirs);
  return worse > margin ? `v${current} live ${metric} ${fourDigits(mine)} is ${pct(worse)} worse than v${previous} (${fourDigits(theirs)}; policy ${pct(margin)})` : undefined;
}

function defaultPolicy(): MonitorPolicy {
  const { interval, driftThreshold, decayMargin, rollbackMargin } = monitoringDefaults;
  return { interval, driftThreshold, decayMargin, rollbackMargin, cooldown: interval, checksPerRun: defaultChecksPerRun };
}

function policyFrom(spec: PipelineSpec): MonitorPolicy {
  return {
    interval: spec.monitoring.interval,
    driftThreshold: spec.monitoring.drift.threshold,
    decayMargin: spec.monitoring.decayMargin,
    rollbackMargin: spec.monitoring.rollbackMargin,
    cooldown: spec.monitoring.cooldown ?? spec.monitoring.interval,
    checksPerRun: defaultChecksPerRun,
  };
}

function validatePolicy(change: Partial<MonitorPolicy>): void {
  if (typeof change !== 'object' || change === null) throw new Error('setPolicy takes an object, e.g. {"driftThreshold":0.3}');
  const known = ['interval', 'driftThreshold', 'decayMargin', 'rollbackMargin', 'cooldown', 'checksPerRun'];
  const unknown = Object.keys(change).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`unknown policy field(s) ${unknown.join(', ')}; use ${known.join(', ')}`);
  for (const key of ['interval', 'cooldown'] as const) {
    const value = change[key];
    if (value !== undefined && (typeof value !== 'string' || durationMs(value) < 1000)) throw new Error(`${key} must be a duration of at least 1s, e.g. 30m or 1h`);
  }
  const perRun = change.checksPerRun;
  if (perRun !== undefined && !(Number.isInteger(perRun) && perRun >= 1 && perRun <= 10_000)) throw new Error('checksPerRun is an integer from 1 to 10000');
  const share = change.driftThreshold;
  if (share !== undefined && !(typeof share === 'number' && share > 0 && share <= 1)) throw new Error('driftThreshold is a share of features in (0, 1]');
  for (const key of ['decayMargin', 'rollbackMargin'] as const) {
    const value = change[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 10)) throw new Error(`${key} is a share between 0 and 10 (0.1 = 10% worse)`);
  }
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

