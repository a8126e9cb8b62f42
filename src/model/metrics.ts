/**
 * Evaluation metrics.
 * - Regression: RMSE, MAE, R², MAPE.
 * - Classification: accuracy, macro precision / recall / F1, ROC AUC (one-vs-rest, macro;
 *   for two classes this is the usual binary AUC), log loss, and the confusion matrix.
 *
 * `evaluatePredictor` scores a predictor on the test split through the same path serving uses,
 * so the reported numbers are what users will get.
 */
import { MlopsError } from '../errors.js';
import type { CellValue, TabularData } from '../data/types.js';
import type { PipelineSpec } from '../spec/schema.js';
import type { Metrics, Prediction, Predictor } from './types.js';

/** Probabilities are clipped to [EPS, 1 − EPS] so one confident mistake cannot make log loss infinite. */
const EPS = 1e-15;

/** Rows scored per predict call; bounds the memory of the encoded batch. */
const EVAL_BATCH = 4096;

export interface RegressionMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  /** Mean absolute percentage error as a fraction (0.1 = 10 %), over rows whose target is not 0; absent when all are. */
  readonly mape?: number;
}

/** Root mean squared error, mean absolute error, coefficient of determination and MAPE. */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const n = checkLengths(yTrue.length, yPred.length);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] as number;
  mean /= n;
  let se = 0;
  let ae = 0;
  let ssTot = 0;
  let ape = 0;
  let apeRows = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] as number;
    const e = t - (yPred[i] as number);
    se += e * e;
    ae += Math.abs(e);
    ssTot += (t - mean) ** 2;
    if (t !== 0) {
      ape += Math.abs(e / t);
      apeRows++;
    }
  }
  // A constant target has no variance to explain: R² is 1 for a perfect fit, else 0 (as scikit-learn).
  const r2 = ssTot === 0 ? (se === 0 ? 1 : 0) : 1 - se / ssTot;
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2, ...(apeRows > 0 ? { mape: ape / apeRows } : {}) };
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  /** Macro averages over the classes that occur as labels or predictions (scikit-learn's default); 0 where undefined. */
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly logLoss: number;
  /** One-vs-rest ROC AUC, averaged over the classes with both positive and negative rows; absent when none has. */
  readonly rocAuc?: number;
}

/** Counts of (actual, predicted) pairs: `counts[i][j]` rows of class `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  readonly labels: readonly string[];
  readonly counts: readonly (readonly number[])[];
}

/**
 * Classification metrics from the predicted probabilities. The predicted label is the most
 * probable class (first in `classes` on ties). A label outside `classes` counts as wrong and as
 * probability 0 (clipped).
 */
export function classificationMetrics(
  yTrue: readonly string[],
  probabilities: readonly Readonly<Record<string, number>>[],
  classes: readonly string[],
): ClassificationMetrics {
  const n = checkLengths(yTrue.length, probabilities.length);
  const predicted = probabilities.map((p) => argmax(p, classes) ?? '');
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const label = yTrue[i] as string;
    if (predicted[i] === label) correct++;
    const q = Math.min(1 - EPS, Math.max(EPS, probabilities[i]?.[label] ?? 0));
    loss -= Math.log(q);
  }
  const { precision, recall, f1 } = macroPrecisionRecallF1(yTrue, predicted);
  const rocAuc = macroRocAuc(yTrue, probabilities, classes);
  return { accuracy: correct / n, precision, recall, f1, logLoss: loss / n, ...(rocAuc === undefined ? {} : { rocAuc }) };
}

/** The confusion matrix over `classes` plus any other label that occurs. */
export function confusionMatrix(yTrue: readonly string[], yPred: readonly string[], classes: readonly string[]): ConfusionMatrix {
  checkLengths(yTrue.length, yPred.length);
  const labels = [...classes, ...[...new Set([...yTrue, ...yPred])].filter((l) => !classes.includes(l)).sort()];
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  yTrue.forEach((t, i) => {
    const row = counts[index.get(t) as number] as number[];
    const j = index.get(yPred[i] as string) as number;
    row[j] = (row[j] as number) + 1;
  });
  return { labels, counts };
}

/** Macro-averaged precision, recall and F1 (per-class F1 averaged, as scikit-learn's `average="macro"`). */
export function macroPrecisionRecallF1(yTrue: readonly string[], yPred: readonly string[]): { precision: number; recall: number; f1: number } {
  const n = checkLengths(yTrue.length, yPred.length);
  const labels = [...new Set([...yTrue, ...yPred])];
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const actual = yTrue[i] === label;
      const guessed = yPred[i] === label;
      if (actual && guessed) tp++;
      else if (guessed) fp++;
      else if (actual) fn++;
    }
    const p = tp + fp > 0 ? tp / (tp + fp) : 0;
    const r = tp + fn > 0 ? tp / (tp + fn) : 0;
    precision += p;
    recall += r;
    f1 += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  return { precision: precision / labels.length, recall: recall / labels.length, f1: f1 / labels.length };
}

/**
 * Area under the ROC curve of `scores` for `positive` rows: the probability that a random
 * positive scores above a random negative (ties count half), via the Mann–Whitney rank sum.
 * Undefined when all rows are positive or all negative.
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number | undefined {
  const n = checkLengths(positive.length, scores.length);
  const order = [...scores.keys()].sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1; // tied scores share the average of their ranks
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  positive.forEach((p, i) => {
    if (!p) return;
    positives++;
    rankSum += ranks[i] as number;
  });
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function macroRocAuc(yTrue: readonly string[], probabilities: readonly Readonly<Record<string, number>>[], classes: readonly string[]): number | undefined {
  const aucs = classes
    .map((c) => rocAuc(probabilities.map((p) => p[c] ?? 0), yTrue.map((t) => t === c)))
    .filter((a): a is number => a !== undefined);
  return aucs.length === 0 ? undefined : aucs.reduce((s, a) => s + a, 0) / aucs.length;
}

/** What evaluation needs from the spec. */
export interface EvaluationSpec {
  readonly task: PipelineSpec['task'];
  readonly data: Pick<PipelineSpec['data'], 'target'>;
}

/** The scored rows of a table: their indices, true values and the predictor's predictions. */
export interface ScoredRows {
  /** Indices into the table of the rows that have a target. */
  readonly rows: readonly number[];
  /** Regression: numbers; classification: labels as strings. */
  readonly actual: readonly (number | string)[];
  readonly predictions: readonly Prediction[];
}

/**
 * Predicts every row of `test` that has a target, through the serving path.
 * Throws MlopsError('DataInvalid') when the test data cannot be scored.
 */
export async function predictTable(predictor: Predictor, test: TabularData, spec: EvaluationSpec): Promise<ScoredRows> {
  const target = test.columns[spec.data.target];
  if (!target) throw new MlopsError('DataInvalid', `the test data has no target column "${spec.data.target}"`);
  const absent = predictor.features.filter((f) => !test.columns[f.name]).map((f) => f.name);
  if (absent.length > 0) throw new MlopsError('DataInvalid', `the test data lacks the model's feature columns: ${absent.join(', ')}`);
  const rows = [...Array(test.rows).keys()].filter((i) => target[i] !== null && target[i] !== undefined);
  if (rows.length === 0) throw new MlopsError('DataInvalid', `the test split has no rows with a target "${spec.data.target}"; provide more data`);
  const actual = rows.map((i) => (spec.task === 'regression' ? regressionLabel(spec.data.target, target[i], i) : String(target[i])));
  return { rows, actual, predictions: await predictRows(predictor, test, rows) };
}

/** Metrics of predictions against true values (a subset of {@link predictTable}'s output, e.g. a slice). */
export function scorePredictions(task: PipelineSpec['task'], actual: readonly (number | string)[], predictions: readonly Prediction[], classes?: readonly string[]): Metrics {
  if (task === 'regression') return { ...regressionMetrics(actual as number[], predictions as number[]) };
  const probs = predictions.map((p) => (typeof p === 'number' ? {} : p.probabilities));
  return { ...classificationMetrics(actual as string[], probs, classes ?? Object.keys(probs[0] ?? {})) };
}

/** The predicted label of each classification prediction. */
export function predictedLabels(predictions: readonly Prediction[]): string[] {
  return predictions.map((p) => (typeof p === 'number' ? String(p) : p.label));
}

/**
 * Scores a predictor on a test table (see {@link regressionMetrics} and
 * {@link classificationMetrics}). Rows without a target are skipped.
 * Throws MlopsError('DataInvalid') when the test data cannot be scored.
 */
export async function evaluatePredictor(predictor: Predictor, test: TabularData, spec: EvaluationSpec): Promise<Metrics> {
  const scored = await predictTable(predictor, test, spec);
  return scorePredictions(spec.task, scored.actual, scored.predictions, predictor.classes);
}

async function predictRows(predictor: Predictor, test: TabularData, rows: readonly number[]): Promise<Prediction[]> {
  const out: Prediction[] = [];
  for (let start = 0; start < rows.length; start += EVAL_BATCH) {
    const instances = rows.slice(start, start + EVAL_BATCH).map((i) => instanceAt(predictor, test, i));
    try {
      out.push(...(await predictor.predict(instances)));
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
