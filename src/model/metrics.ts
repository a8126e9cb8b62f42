/**
 * Evaluation metrics. Regression: RMSE, MAE, R². Classification: accuracy and log loss.
 * `evaluatePredictor` scores a predictor on the test split through the same path serving
 * uses, so the reported numbers are what users will get.
 */
import { MlopsError } from '../errors.js';
import type { CellValue, TabularData } from '../data/types.js';
import type { PipelineSpec } from '../spec/schema.js';
import type { Metrics, Predictor } from './types.js';

/** Probabilities are clipped to [EPS, 1 − EPS] so one confident mistake cannot make log loss infinite. */
const EPS = 1e-15;

/** Rows scored per predict call; bounds the memory of the encoded batch. */
const EVAL_BATCH = 4096;

/** Root mean squared error, mean absolute error and coefficient of determination. */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): { rmse: number; mae: number; r2: number } {
  const n = checkLengths(yTrue.length, yPred.length);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] as number;
  mean /= n;
  let se = 0;
  let ae = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] as number;
    const e = t - (yPred[i] as number);
    se += e * e;
    ae += Math.abs(e);
    ssTot += (t - mean) ** 2;
  }
  // A constant target has no variance to explain: R² is 1 for a perfect fit, else 0 (as scikit-learn).
  const r2 = ssTot === 0 ? (se === 0 ? 1 : 0) : 1 - se / ssTot;
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2 };
}

/**
 * Accuracy of the most probable class and mean log loss of the true class's probability.
 * A label outside `classes` counts as wrong and as probability 0 (clipped).
 */
export function classificationMetrics(
  yTrue: readonly string[],
  probabilities: readonly Readonly<Record<string, number>>[],
  classes: readonly string[],
): { accuracy: number; logLoss: number } {
  const n = checkLengths(yTrue.length, probabilities.length);
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const p = probabilities[i] ?? {};
    const label = yTrue[i] as string;
    if (argmax(p, classes) === label) correct++;
    const q = Math.min(1 - EPS, Math.max(EPS, p[label] ?? 0));
    loss -= Math.log(q);
  }
  return { accuracy: correct / n, logLoss: loss / n };
}

/** What evaluation needs from the spec. */
export interface EvaluationSpec {
  readonly task: PipelineSpec['task'];
  readonly data: Pick<PipelineSpec['data'], 'target'>;
}

/**
 * Scores a predictor on a test table: rmse/mae/r2 for regression, accuracy/logLoss for
 * classification. Rows without a target are skipped.
 * Throws MlopsError('DataInvalid') when the test data cannot be scored.
 */
export function evaluatePredictor(predictor: Predictor, test: TabularData, spec: EvaluationSpec): Metrics {
  const target = test.columns[spec.data.target];
  if (!target) throw new MlopsError('DataInvalid', `the test data has no target column "${spec.data.target}"`);
  const absent = predictor.features.filter((f) => !test.columns[f.name]).map((f) => f.name);
  if (absent.length > 0) throw new MlopsError('DataInvalid', `the test data lacks the model's feature columns: ${absent.join(', ')}`);
  const rows = [...Array(test.rows).keys()].filter((i) => target[i] !== null && target[i] !== undefined);
  if (rows.length === 0) throw new MlopsError('DataInvalid', `the test split has no rows with a target "${spec.data.target}"; provide more data`);
  const predictions = predictRows(predictor, test, rows);
  if (spec.task === 'regression') {
    const yTrue = rows.map((i) => regressionLabel(spec.data.target, target[i], i));
    return regressionMetrics(yTrue, predictions as number[]);
  }
  const probs = predictions.map((p) => (typeof p === 'number' ? {} : p.probabilities));
  const classes = Object.keys(probs[0] ?? {});
  return classificationMetrics(rows.map((i) => String(target[i])), probs, classes);
}

function predictRows(predictor: Predictor, test: TabularData, rows: readonly number[]): ReturnType<Predictor['predict']> {
  const out: ReturnType<Predictor['predict']> = [];
  for (let start = 0; start < rows.length; start += EVAL_BATCH) {
    const instances = rows.slice(start, start + EVAL_BATCH).map((i) => instanceAt(predictor, test, i));
    try {
      out.push(...predictor.predict(instances));
    } catch (err) {
      // A bad test row is a data problem, not a bad request.
      if (err instanceof MlopsError && err.type === 'BadRequest') throw new MlopsError('DataInvalid', `test data: ${err.message}`);
      throw err;
    }
  }
  return out;
}

function instanceAt(predictor: Predictor, test: TabularData, row: number): Record<string, unknown> {
  const instance: Record<string, unknown> = {};
  for (const f of predictor.features) instance[f.name] = cell(test.columns[f.name]?.[row], f.type);
  return instance;
}

function cell(v: CellValue | undefined, type: 'numeric' | 'categorical'): unknown {
  // NaN/Infinity mean "missing" in stored data, as they do in training.
  if (type === 'numeric' && typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

function regressionLabel(name: string, v: CellValue | undefined, row: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new MlopsError('DataInvalid', `regression target "${name}" must be a finite number, but test row ${row} holds ${JSON.stringify(v)}`);
}

function argmax(p: Readonly<Record<string, number>>, classes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const c of classes) if (best === undefined || (p[c] ?? 0) > (p[best] ?? 0)) best = c;
  return best;
}

function checkLengths(a: number, b: number): number {
  if (a !== b) throw new MlopsError('DataInvalid', `metrics need one prediction per label, got ${b} predictions for ${a} labels`);
  if (a === 0) throw new MlopsError('DataInvalid', 'metrics need at least one row');
  return a;
}
