/**
 * Evaluate: scores the candidate on the held-out split next to a naive baseline, scores the
 * production champion on the same rows when the spec compares with it, and returns the
 * blessing with its reasons plus a reference to the HTML report. The result stays small:
 * numbers, the confusion matrix and per-slice metrics, never rows.
 */
import type { DataSplit, DatasetRef, TabularData } from '../src/data/types.js';
import { loadSplit } from '../src/data/split.js';
import { naiveBaseline } from '../src/evaluation/baseline.js';
import { decideBlessing, type BaselineResult, type Blessing, type ChampionResult } from '../src/evaluation/blessing.js';
import { evaluateModel } from '../src/evaluation/evaluate-model.js';
import { directionOf, primaryMetric } from '../src/evaluation/objective.js';
import type { SliceMetrics } from '../src/evaluation/slices.js';
import { MlopsError } from '../src/errors.js';
import { holdoutOf, takeRows } from '../src/model/holdout.js';
import { loadModel, summarizeModel } from '../src/model/load-model.js';
import type { ConfusionMatrix } from '../src/model/metrics.js';
import type { Metrics, Predictor } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import { renderEvaluationReport } from '../src/report/evaluation-report.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface EvaluateInput {
  readonly spec: PipelineSpec;
  readonly dataset: DatasetRef;
  readonly bundle: ArtifactRef;
  /** Score the production champion for `mustBeatChampion` / `changeThresholds` (default true). Sweep trials skip it. */
  readonly compareChampion?: boolean;
  /** Write the HTML report (default true). */
  readonly report?: boolean;
  /**
   * The rows to score: the test split (default), or the validation holdout of the training
   * split, which sweeps rank trials on so the test split stays unseen until the winner is
   * evaluated. Falls back to test when `model.validationSplit` is 0.
   */
  readonly on?: 'test' | 'validation';
  /** The metric of `objective`; default the task's primary metric (rmse / accuracy). */
  readonly metric?: string;
}

/** One metric and the direction that makes it better; what sweeps rank by. */
export interface Objective {
  readonly metric: string;
  readonly value: number;
  readonly direction: 'minimize' | 'maximize';
}

export interface EvaluationResult extends Blessing {
  readonly metrics: Metrics;
  /** Rows scored and which split they came from. */
  readonly rows: number;
  readonly evaluatedOn: 'test' | 'validation';
  readonly objective: Objective;
  /** The naive model (training mean / majority class) on the same rows. */
  readonly baseline: BaselineResult;
  readonly champion?: ChampionResult;
  /** Classification only: rows are actual classes, columns predicted ones. */
  readonly confusionMatrix?: ConfusionMatrix;
  /** With `evaluation.sliceBy`: metrics per value of that feature. */
  readonly slices?: SliceMetrics;
  /** The HTML report (learning curves, residuals or confusion matrix, slices). */
  readonly report?: ArtifactRef;
}

export function evaluateActivity(deps: ActivityDeps) {
  /** Scores the model `ref` names, then frees it. */
  async function withModel<T>(ref: ArtifactRef, score: (predictor: Predictor) => Promise<T>): Promise<T> {
    const predictor = await loadModel(deps.store, ref);
    try {
      return await score(predictor);
    } finally {
      await predictor.dispose?.();
    }
  }

  /** The champion on the same rows; an error instead of metrics when its features are not in this data. */
  async function scoreChampion(spec: PipelineSpec, rows: TabularData): Promise<ChampionResult | undefined> {
    const production = await deps.registry.resolve(spec.name, { alias: 'production' });
    if (!production) return undefined;
    try {
      const metrics = await withModel(production.bundle, async (champion) => {
        if (champion.task !== spec.task) throw new MlopsError('DataInvalid', `it is a ${champion.task} model`);
        return (await evaluateModel(champion, rows, spec)).metrics;
      });
      return { version: production.version, metrics };
    } catch (err) {
      // The champion needs other columns, or its bundle is damaged: the reviewer sees why, the run goes on.
      if (err instanceof MlopsError && (err.type === 'DataInvalid' || err.type === 'ArtifactCorrupt' || err.type === 'ModelInvalid')) {
        return { version: production.version, metrics: {}, error: err.message };
      }
      throw err;
    }
  }

  return async function evaluate(input: EvaluateInput): Promise<EvaluationResult> {
    return asFailure(async () => {
      // Validated once by prepareSpec at the workflow's boundary.
      const { spec } = input;
      const split = await loadSplit({ dataset: await deps.store.localPath(input.dataset), spec });
      const { rows, evaluatedOn } = rowsToScore(spec, split, input.on ?? 'test');
      const evaluation = await withModel(input.bundle, (candidate) => evaluateModel(candidate, rows, spec, spec.evaluation.sliceBy));
      const objective = objectiveOf(spec, evaluation.metrics, input.metric);
      const base = naiveBaseline(spec, split.train);
      const baseline: BaselineResult = { strategy: base.strategy, metrics: (await evaluateModel(base.predictor, rows, spec)).metrics };
      const compares = spec.evaluation.mustBeatChampion || Object.keys(spec.evaluation.changeThresholds).length > 0;
      const champion = compares && input.compareChampion !== false ? await scoreChampion(spec, rows) : undefined;
      const blessing = decideBlessing({ metrics: evaluation.metrics, evaluation: spec.evaluation, task: spec.task, champion, baseline, slices: evaluation.slices });
      const report =
        input.report === false
          ? undefined
          : await deps.store.putBytes(
              renderEvaluationReport({ spec, bundle: await summarizeModel(deps.store, input.bundle), evaluation, evaluatedOn, baseline, champion, blessing, dataset: input.dataset }),
              '.report.html',
            );
      return {
        ...blessing,
        metrics: evaluation.metrics,
        rows: evaluation.rows,
        evaluatedOn,
        objective,
        baseline,
        ...(champion ? { champion } : {}),
        ...(evaluation.confusion ? { confusionMatrix: evaluation.confusion } : {}),
        ...(evaluation.slices ? { slices: evaluation.slices } : {}),
        ...(report ? { report } : {}),
      };
    });
  };
}

function rowsToScore(spec: PipelineSpec, split: DataSplit, on: 'test' | 'validation'): { rows: TabularData; evaluatedOn: 'test' | 'validation' } {
  if (on === 'validation') {
    const { validation } = holdoutOf(spec, split.train.rows);
    if (validation.length > 0) return { rows: takeRows(split.train, validation), evaluatedOn: 'validation' };
  }
  return { rows: split.test, evaluatedOn: 'test' };
}

function objectiveOf(spec: PipelineSpec, metrics: Metrics, wanted: string | undefined): Objective {
  const metric = wanted ?? primaryMetric(spec.task);
  const value = metrics[metric];
  if (value === undefined) {
    throw new MlopsError('SpecInvalid', `sweep.metric "${metric}" is not computed for ${spec.task}; use one of ${Object.keys(metrics).join(', ')}`);
  }
  return { metric, value, direction: directionOf(metric) };
}
