/**
 * hyperparameterSweep({ spec, sweep?, dataset? }): trains one model per combination of the
 * spec's `sweep.parameters` (grid) or per seeded sample (random), `sweep.concurrency` at a
 * time, each as the ordinary train activity (heartbeats, checkpoints, GPU queue) followed by
 * evaluate on the validation holdout, and returns every trial and the best by `sweep.metric`.
 * The data is ingested once (or taken from the caller); the test split stays unseen, so the
 * winner's test metrics, computed by trainingPipeline, are honest.
 *
 * Deterministic workflow code: trials are planned from the spec alone (random search uses a
 * seeded quasi-random sequence, never Math.random), and activities are imported as types only.
 */
import { ActivityFailure, ApplicationFailure, defineQuery, isCancellation, log, patched, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { MlopsActivities } from '../activities/index.js';
import type { EvaluationResult } from '../activities/evaluate.js';
import type { PreparedSpec } from '../activities/prepare-spec.js';
import type { TrainResult } from '../activities/train.js';
import type { DatasetRef } from '../src/data/types.js';
import type { ModelSpec, SweepSpec, SweepSpecInput } from '../src/model/model-spec.js';
import type { Metrics } from '../src/model/types.js';
import type { PipelineSpec, PipelineSpecInput } from '../src/spec/schema.js';
import { prepareSpec } from './prepare-spec.js';
import { trainerFields, trialTracker, type RunTracker } from './run-tracker.js';
import { failureMessage, fourDigits } from './text.js';
import { stepOptions } from './step-options.js';
import { trainingActivityOptions } from './training-options.js';

/** Input of {@link hyperparameterSweep}. */
export interface SweepInput {
  /** The pipeline spec; its `sweep` section says what to vary unless `sweep` is given here. */
  readonly spec: PipelineSpecInput;
  /** Overrides `spec.sweep`. */
  readonly sweep?: SweepSpecInput;
  /** An ingested, validated snapshot to reuse (trainingPipeline passes its own); else the sweep ingests one. */
  readonly dataset?: DatasetRef;
  /**
   * Set by trainingPipeline, whose prepareSpec already validated `spec`: the sweep takes it as
   * it is instead of validating it again (without a `sweep` override).
   */
  readonly prepared?: Pick<PreparedSpec, 'trainingTaskQueue'>;
}

/** The values one trial sets: MLP fields, or keys of a command's `hyperparameters`; the rest come from `spec.model`. */
export type TrialParams = Readonly<Record<string, unknown>>;

/** One trial: its parameters, outcome and metrics. */
export interface SweepTrial {
  /** 1-based, in plan order. */
  readonly trial: number;
  readonly params: TrialParams;
  readonly status: 'completed' | 'failed';
  /** The value of the sweep's metric (completed trials). */
  readonly objective?: number;
  readonly metrics?: Metrics;
  /** Which rows the metrics are from: the validation holdout, or test when `model.validationSplit` is 0. */
  readonly evaluatedOn?: 'validation' | 'test';
  readonly epochs?: number;
  readonly stoppedEarly?: boolean;
  /** Why a failed trial failed. */
  readonly error?: string;
}

/** Result of {@link hyperparameterSweep}: the trials, best first. */
export interface SweepResult {
  readonly model: string;
  readonly metric: string;
  readonly direction: 'minimize' | 'maximize';
  readonly dataset: DatasetRef;
  /** The winning trial and its trained model (bundle, backend, lineage), ready to evaluate and deploy. */
  readonly best: SweepTrial & { readonly training: TrainResult };
  /** `spec.model` with the winner's values. */
  readonly bestModel: ModelSpec;
  readonly trials: SweepTrial[];
}

/** Where a sweep is. */
export type SweepStage = 'preparing' | 'ingesting' | 'validating' | 'sweeping' | 'done' | 'failed';

/** The sweep's `status` query. */
export interface SweepStatus {
  stage: SweepStage;
  model: string;
  total: number;
  completed: number;
  failed: number;
  best?: { trial: number; objective: number; params: TrialParams };
  error?: string;
}

/** The `status` query, as on trainingPipeline: `{ stage, ... }`. */
export const sweepStatusQuery = defineQuery<SweepStatus>('status');

/** Random search draws this many trials unless `sweep.trials` says otherwise. */
const DEFAULT_RANDOM_TRIALS = 10;

/** Trial failures that would recur in every trial: the sweep stops instead of repeating them. */
const fatalTypes = new Set(['SpecInvalid', 'DataInvalid', 'DataNotFound', 'DataUnreadable']);

const steps = proxyActivities<MlopsActivities>(stepOptions);

/** Trains the trials of a sweep (bounded concurrency) on one ingested dataset and ranks them by the objective metric. */
export async function hyperparameterSweep(input: SweepInput): Promise<SweepResult> {
  const status: SweepStatus = { stage: 'preparing', model: typeof input?.spec?.name === 'string' ? input.spec.name : '(unnamed)', total: 0, completed: 0, failed: 0 };
  setHandler(sweepStatusQuery, () => status);
  // Trials are recorded in the registry since 0.4.0; older histories replay without.
  const trackTrials = patched('track-runs-and-notify');
  const enter = (stage: SweepStage, details: string) => {
    status.stage = stage;
    setCurrentDetails(`**${stage}** — ${details}`);
    log.info('sweep stage', { stage, model: status.model });
  };

  try {
    const { spec, trainingTaskQueue } = await validated(input);
    const sweep = spec.sweep;
    if (!sweep) throw ApplicationFailure.nonRetryable('nothing to sweep: give the spec a sweep section or pass { sweep } with the spec', 'SpecInvalid');
    const plan = planTrials(sweep, sweep.seed ?? ('seed' in spec.model ? spec.model.seed : 0));
    status.total = plan.length;
    const dataset = input.dataset ?? (await ingestOnce(spec, enter));

    enter('sweeping', `${plan.length} trials, ${sweep.concurrency} at a time`);
    const outcomes: TrialOutcome[] = [];
    let next = 0;
    const runner = async () => {
      while (next < plan.length) {
        const index = next++;
        const outcome = await runTrial(spec, dataset, trainingTaskQueue, plan, index, trackTrials);
        outcomes[index] = outcome;
        record(status, outcome, enter);
      }
    };
    await Promise.all(Array.from({ length: Math.min(sweep.concurrency, plan.length) }, runner));

    const best = pickBest(outcomes);
    const trials = outcomes.map((o) => o.trial);
    if (!best) {
      const first = trials.find((t) => t.error)?.error ?? 'no trial completed';
      throw ApplicationFailure.nonRetryable(`all ${trials.length} trials failed; the first: ${first}`, 'TrainingFailed');
    }
    enter('done', `best: trial ${best.trial.trial} (${describe(best.trial.params)}), ${best.metric} ${round(best.trial.objective)}`);
    return {
      model: spec.name,
      metric: best.metric,
      direction: best.direction,
      dataset,
      best: { ...best.trial, training: best.training },
      bestModel: withParams(spec.model, best.trial.params),
      trials,
    };
  } catch (err) {
    status.error = failureMessage(err);
    enter('failed', status.error);
    throw err;
  }
}

/** The sweep's spec, validated once per run: by the parent pipeline, or here. */
async function validated(input: SweepInput): Promise<Pick<PreparedSpec, 'spec' | 'trainingTaskQueue'>> {
  if (input.prepared && !input.sweep) return { spec: input.spec as PipelineSpec, trainingTaskQueue: input.prepared.trainingTaskQueue };
  return prepareSpec(input.sweep ? { ...input.spec, sweep: input.sweep } : input.spec);
}

interface TrialOutcome {
  readonly trial: SweepTrial;
  readonly training?: TrainResult;
  readonly objective?: EvaluationResult['objective'];
}

async function ingestOnce(spec: PipelineSpec, enter: (stage: SweepStage, details: string) => void): Promise<DatasetRef> {
  enter('ingesting', `reading ${spec.data.source ?? 'the data query'} into a snapshot`);
  const dataset = await steps.ingest.executeWithOptions({ ...stepOptions, summary: `ingest ${spec.data.source ?? 'query'}` }, [spec]);
  enter('validating', `${dataset.rows} rows`);
  await steps.validate({ spec, dataset });
  return dataset;
}

async function runTrial(spec: PipelineSpec, dataset: DatasetRef, taskQueue: string | undefined, plan: TrialParams[], index: number, track: boolean): Promise<TrialOutcome> {
  const run = trialTracker(spec.name, index + 1, track);
  const outcome = await trainTrial(spec, dataset, taskQueue, plan, index, run);
  const { status, metrics, error } = outcome.trial;
  await run.save({ outcome: status, ...(metrics ? { metrics } : {}), ...(error ? { reason: error } : {}) });
  return outcome;
}

async function trainTrial(spec: PipelineSpec, dataset: DatasetRef, taskQueue: string | undefined, plan: TrialParams[], index: number, run: RunTracker): Promise<TrialOutcome> {
  const params = plan[index] as TrialParams;
  const trial = index + 1;
  const label = `trial ${trial}/${plan.length}: ${describe(params)}`;
  const trialSpec: PipelineSpec = { ...spec, model: withParams(spec.model, params), sweep: undefined };
  await run.save({ ...trainerFields(trialSpec), datasetSha256: dataset.sha256 });
  try {
    const training = await steps.train.executeWithOptions(trainingActivityOptions(spec, taskQueue, `train ${label}`), [{ spec: trialSpec, dataset }]);
    const evaluation = await steps.evaluate.executeWithOptions({ ...stepOptions, summary: `evaluate ${label}` }, [
      { spec: trialSpec, dataset, bundle: training.bundle, compareChampion: false, report: false, on: 'validation', metric: spec.sweep?.metric },
    ]);
    return {
      training,
      objective: evaluation.objective,
      trial: {
        trial,
        params,
        status: 'completed',
        objective: evaluation.objective.value,
        metrics: evaluation.metrics,
        evaluatedOn: evaluation.evaluatedOn,
        epochs: training.epochs,
        stoppedEarly: training.stoppedEarly,
      },
    };
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && fatalTypes.has(cause.type ?? '')) throw err;
    log.warn('sweep trial failed', { trial, error: cause?.message });
    return { trial: { trial, params, status: 'failed', error: cause?.message ?? err.message } };
  }
}

/** `model` with one trial's values: the MLP's fields directly, a command's into its `hyperparameters`. */
export function withParams(model: ModelSpec, params: TrialParams): ModelSpec {
  if (model.type === 'command') return { ...model, hyperparameters: { ...model.hyperparameters, ...params } };
  return { ...model, ...params } as ModelSpec;
}

function record(status: SweepStatus, outcome: TrialOutcome, enter: (stage: SweepStage, details: string) => void): void {
  const { trial, objective } = outcome;
  if (trial.status === 'failed') status.failed++;
  else status.completed++;
  const value = trial.objective;
  if (objective && value !== undefined && Number.isFinite(value) && (!status.best || better(objective.direction, value, status.best.objective))) {
    status.best = { trial: trial.trial, objective: value, params: trial.params };
  }
  const lead = status.best ? `, best ${round(status.best.objective)} (trial ${status.best.trial})` : '';
  enter('sweeping', `${status.completed + status.failed}/${status.total} trials done${status.failed ? ` (${status.failed} failed)` : ''}${lead}`);
}

/** The completed trial with the best objective; ties go to the earlier trial. */
function pickBest(outcomes: readonly TrialOutcome[]): { trial: SweepTrial; training: TrainResult; metric: string; direction: 'minimize' | 'maximize' } | undefined {
  let best: { trial: SweepTrial; training: TrainResult; metric: string; direction: 'minimize' | 'maximize' } | undefined;
  for (const o of outcomes) {
    const value = o.trial.objective;
    if (!o.training || !o.objective || value === undefined || !Number.isFinite(value)) continue;
    if (!best || better(o.objective.direction, value, best.trial.objective as number)) {
      best = { trial: o.trial, training: o.training, metric: o.objective.metric, direction: o.objective.direction };
    }
  }
  return best;
}

function better(direction: 'minimize' | 'maximize', a: number, b: number): boolean {
  return direction === 'minimize' ? a < b : a > b;
}

// ---------------------------------------------------------------------------------------
// Planning (pure, deterministic)

type Space = NonNullable<SweepSpec['parameters'][keyof SweepSpec['parameters']]>;
type Range = Extract<Space, { min: number }>;

/** The trials of a sweep: every grid combination (first parameter varies slowest), or `trials` seeded samples. */
export function planTrials(sweep: SweepSpec, seed: number): TrialParams[] {
  const spaces = Object.entries(sweep.parameters).filter((e): e is [string, Space] => e[1] !== undefined);
  if (sweep.method === 'grid') {
    return spaces.reduce<TrialParams[]>(
      (trials, [name, space]) => trials.flatMap((t) => (space as unknown[]).map((value) => ({ ...t, [name]: value }))),
      [{}],
    );
  }
  const count = sweep.trials ?? DEFAULT_RANDOM_TRIALS;
  const sequence = quasiRandom(spaces.length, seed);
  return Array.from({ length: count }, (_, k) => {
    const point = sequence(k);
    return Object.fromEntries(spaces.map(([name, space], d) => [name, sample(space, point[d] as number)])) as TrialParams;
  });
}

/**
 * Roberts' R-sequence: point k of a `dims`-dimensional low-discrepancy sequence in [0, 1)^dims,
 * started at an offset chosen by `seed`. Random search with it covers the space more evenly
 * than independent pseudo-random draws, and it is deterministic by construction.
 */
function quasiRandom(dims: number, seed: number): (k: number) => number[] {
  // φ_d is the positive root of x^(d+1) = x + 1 (the golden ratio for d = 1).
  let phi = 2;
  for (let i = 0; i < 30; i++) phi = (1 + phi) ** (1 / (dims + 1));
  const alpha = Array.from({ length: dims }, (_, i) => (1 / phi) ** (i + 1) % 1);
  const offset = (Math.abs(Math.trunc(seed)) % 100_003) + 1;
  return (k) => alpha.map((a) => (0.5 + (k + offset) * a) % 1);
}

function sample(space: Space, u: number): unknown {
  if (Array.isArray(space)) return space[Math.min(space.length - 1, Math.floor(u * space.length))];
  const r = space as Range;
  const value = r.scale === 'log' ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min))) : r.min + u * (r.max - r.min);
  return r.integer ? Math.min(Math.round(r.max), Math.max(Math.round(r.min), Math.round(value))) : value;
}

function describe(params: TrialParams): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : JSON.stringify(v)}`)
    .join(', ');
}

function round(x: number | undefined): string {
  return x === undefined ? '?' : fourDigits(x);
}
