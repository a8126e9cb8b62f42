/**
 * Signals, queries and result shapes shared by the workflows and their clients (CLI, tests,
 * user code). Names are contracts (design.md): `approve`, `reject`, `status`.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Metrics } from '../src/model/types.js';
import type { ModelType } from '../src/model/model-spec.js';

/** The stages of `trainingPipeline`, as its `status` query reports them. */
export type PipelineStage =
  | 'ingesting'
  | 'validating'
  | 'training'
  | 'evaluating'
  | 'awaiting-approval'
  | 'deploying'
  | 'deployed'
  | 'rejected'
  | 'failed';

/** The `approve` signal's input. */
export interface ApproveInput {
  readonly reviewer: string;
  readonly comment?: string;
}

/** The `reject` signal's input. */
export interface RejectInput {
  readonly reviewer: string;
  readonly reason: string;
}

/** The `decide` update's input: one call that approves or rejects and returns the outcome. */
export interface DecideInput {
  readonly decision: 'approve' | 'reject';
  readonly reviewer: string;
  readonly comment?: string;
  /** Required when rejecting. */
  readonly reason?: string;
}

/** What a human (or the auto mode, or the timeout) decided at the approval gate. */
export interface ApprovalOutcome {
  readonly decision: 'approved' | 'rejected' | 'auto-approved';
  readonly reviewer: string;
  readonly comment?: string;
  readonly reason?: string;
  /** ISO time, from the workflow clock. */
  readonly at: string;
}

/** Evaluation's verdict plus the approval, shown to the reviewer and returned. */
export interface Decision {
  readonly blessed: boolean;
  readonly reasons: string[];
  readonly approval?: ApprovalOutcome;
}

/** The `status` query of `trainingPipeline`. */
export interface PipelineStatus {
  stage: PipelineStage;
  model: string;
  dataset?: { rows: number; sha256: string };
  validation?: { rows: number; summary: string; warnings: string[]; report?: string };
  /** The train step's outcome; epochs and losses from trainers that report them (the MLP, a command's progress). */
  training?: { trainer?: ModelType; backend?: string; epochs?: number; loss?: number; valLoss?: number; resumedFromEpoch?: number; stoppedEarly?: boolean };
  /** With a `sweep` in the spec: how many trials, and the winner. */
  sweep?: { trials: number; best: number; params: Record<string, unknown>; metric: string; objective: number };
  /** The evaluation's HTML report (learning curves, residuals or confusion matrix, slices). */
  report?: { uri: string; sha256: string; bytes: number };
  metrics?: Metrics;
  decision?: Decision;
  version?: number | null;
  error?: string;
}

/** What `trainingPipeline` returns. */
export interface PipelineResult {
  readonly model: string;
  readonly version: number | null;
  readonly deployed: boolean;
  readonly metrics: Metrics;
  readonly decision: Decision;
}

/** Approves a deployment waiting for approval. */
export const approveSignal = defineSignal<[ApproveInput]>('approve');
/** Rejects it, with a reason. */
export const rejectSignal = defineSignal<[RejectInput]>('reject');
/** The pipeline's stage, metrics and decision. */
export const statusQuery = defineQuery<PipelineStatus>('status');
/** Approve or reject with validation (an empty reviewer is refused); returns the recorded outcome. */
export const decideUpdate = defineUpdate<ApprovalOutcome, [DecideInput]>('decide');
