/** Messages of continuousTraining: control signals, the policy update and the status query. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** Thresholds and timing the monitor runs with; starts from the spec, changed by `setPolicy`. */
export interface MonitorPolicy {
  /** Time between checks, e.g. `1h`. */
  readonly interval: string;
  /** Share of drifted features above which the dataset counts as drifted. */
  readonly driftThreshold: number;
  /** Retrain when live performance is worse than at evaluation by this share. */
  readonly decayMargin: number;
  /** Roll back when a new version is worse live than the previous one by this share. */
  readonly rollbackMargin: number;
  /** No automatic retrain sooner than this after the last one. */
  readonly cooldown: string;
  /** Checks per workflow run before continue-as-new (sooner when Temporal suggests it). */
  readonly checksPerRun: number;
}

/** What one check of `continuousTraining` did. */
export type MonitorAction = 'none' | 'retrain' | 'rollback' | 'skipped';

/** One check's outcome, kept (bounded) in the status and carried across continue-as-new. */
export interface MonitorDecision {
  readonly at: string;
  readonly action: MonitorAction;
  readonly reasons: string[];
  readonly productionVersion: number | null;
  readonly retrainWorkflowId?: string;
  readonly deployedVersion?: number | null;
}

/** The last drift report, summarized. */
export interface DriftDigest {
  readonly at: string;
  readonly rows: number;
  readonly datasetDrift: boolean;
  readonly shareDrifted: number;
  readonly features: { feature: string; test: string; score: number; threshold: number; drifted: boolean }[];
  readonly report?: string;
}

/** The `status` query of `continuousTraining`. */
export interface MonitorStatus {
  stage: 'monitoring' | 'retraining' | 'failed';
  model: string;
  paused: boolean;
  policy: MonitorPolicy;
  checks: number;
  nextCheckAt: string | null;
  lastDrift: DriftDigest | null;
  livePerformance: Record<string, Record<string, number>> | null;
  decisions: MonitorDecision[];
  retrainWorkflowId: string | null;
  warnings: string[];
}

/** Stops checking until `resume`. */
export const pauseSignal = defineSignal('pause');
/** Checks again at the usual interval. */
export const resumeSignal = defineSignal('resume');
/** Retrains at once, whatever drift says. */
export const retrainNowSignal = defineSignal<[{ reason?: string }?]>('retrainNow');
/** New data landed in the monitoring source: check now instead of at the next tick. */
export const newDataSignal = defineSignal<[{ source?: string }?]>('newData');
/** Changes the monitor's thresholds or timing; returns the policy in force. */
export const setPolicyUpdate = defineUpdate<MonitorPolicy, [Partial<MonitorPolicy>]>('setPolicy');
/** Drift, live performance and the decisions so far. */
export const monitorStatusQuery = defineQuery<MonitorStatus>('status');
