/**
 * What the registry keeps about every pipeline run, sweep trial and monitor check, so the team
 * can see what was tried, what worked and why, after Temporal's retention has deleted the
 * workflow histories. Workflows record runs as they start and end (activities/track.ts); the
 * console and `mlops runs` read them.
 */
import type { Metrics } from '../model/types.js';

/** A pipeline run's outcome (design.md); a sweep trial ends `completed` or `failed`. */
export type RunOutcome = 'running' | 'awaiting-approval' | 'deployed' | 'rejected' | 'failed' | 'cancelled' | 'completed';

/** Outcomes that are final: a run in one of them is not recorded again. */
export const finalOutcomes: readonly RunOutcome[] = ['deployed', 'rejected', 'failed', 'cancelled', 'completed'];

/** One pipeline run or sweep trial. Saving a record with the same `id` replaces it. */
export interface RunRecord {
  /** `<workflowId>/<runId>` for a pipeline, `<workflowId>/<runId>/trial-<n>` for a sweep trial. */
  readonly id: string;
  readonly kind: 'pipeline' | 'trial';
  readonly model: string;
  readonly workflowId: string;
  readonly runId: string;
  /** A trial's sweep (its parent's workflow ID when the sweep was a pipeline's child). */
  readonly parentWorkflowId?: string;
  /** 1-based trial number. */
  readonly trial?: number;
  /** ISO-8601 times from the workflow clock. */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly outcome: RunOutcome;
  /** `model.type` of the spec (mlp, onnx, command, ...). */
  readonly trainer?: string;
  readonly hyperparameters?: Record<string, unknown>;
  readonly metrics?: Metrics;
  /** SHA-256 of the ingested dataset snapshot. */
  readonly datasetSha256?: string;
  /** Artifact URIs of the validation and evaluation reports. */
  readonly reports?: { readonly validation?: string; readonly evaluation?: string };
  /** The registry version when deployed. */
  readonly version?: number | null;
  /** Who decided at the approval gate, and why. */
  readonly decision?: { readonly decision: string; readonly reviewer: string; readonly comment?: string; readonly reason?: string; readonly at: string };
  /** Why it failed or was rejected. */
  readonly reason?: string;
}

/** Which runs {@link ModelRegistry.listRuns} returns, newest first. */
export interface RunQuery {
  readonly model?: string;
  readonly kind?: RunRecord['kind'];
  readonly outcome?: RunOutcome;
  /** Trials of one sweep: the sweep's (or its parent pipeline's) workflow ID. */
  readonly parentWorkflowId?: string;
  /** At most this many (default: all). */
  readonly limit?: number;
}

/** One continuousTraining check: what was measured and what the monitor decided. */
export interface MonitorCheckRecord {
  readonly model: string;
  readonly workflowId: string;
  readonly runId: string;
  /** ISO-8601 time of the check (workflow clock). */
  readonly at: string;
  readonly action: 'none' | 'retrain' | 'rollback' | 'skipped';
  readonly reasons: string[];
  readonly productionVersion: number | null;
  /** Drift measured by this check, when there was a window to measure. */
  readonly drift?: {
    readonly rows: number;
    readonly shareDrifted: number;
    readonly datasetDrift: boolean;
    /** The policy's share at or above which the dataset counts as drifted. */
    readonly threshold?: number;
    readonly features: { readonly feature: string; readonly test: string; readonly score: number; readonly threshold: number; readonly drifted: boolean }[];
    readonly report?: string;
  };
  /** Live metrics on labelled served rows, per version. */
  readonly live?: Record<string, Metrics>;
  readonly retrainWorkflowId?: string;
  readonly deployedVersion?: number | null;
}

/** Runs newest first by start time, then by id, so every backend lists the same order. */
export function compareRuns(a: RunRecord, b: RunRecord): number {
  return b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);
}

/** Whether `run` passes `query`'s filters (the limit aside). */
export function matchesRunQuery(run: RunRecord, query: RunQuery): boolean {
  return (
    (query.model === undefined || run.model === query.model) &&
    (query.kind === undefined || run.kind === query.kind) &&
    (query.outcome === undefined || run.outcome === query.outcome) &&
    (query.parentWorkflowId === undefined || run.parentWorkflowId === query.parentWorkflowId)
  );
}
