/**
 * Feature and target preprocessing, fitted and applied for training and evaluation.
 * The state is fitted on the training split only (no leakage from test data), is plain JSON
 * and travels inside the model bundle, so serving encodes exactly as training did: the
 * server's forward pass (./predictor.ts) reads instances straight into the first layer with
 * the same layout and vocabulary lookups, and its tests hold it to the encoding here.
 *
 * Layout of an encoded row, feature by feature in spec order:
 * - numeric: `[standardized value, is-missing flag]` (missing → the training mean, i.e. 0);
 * - categorical: one-hot over the training vocabulary, then one out-of-vocabulary bucket
 *   (unseen values and missing values land there).
 */
import { MlopsError } from '../errors.js';
import type { CellValue, TabularData } from '../data/types.js';
import type { FeatureSpec, PipelineSpec, Task } from '../spec/schema.js';
import { badCategory, badNumber, checkInstance, missingFeature } from './instance-errors.js';

/** Categorical vocabularies keep at most this many of the most frequent training values. */
export const MAX_VOCABULARY = 100;

/** How one numeric feature is standardized. */
export interface NumericFeatureState {
  readonly type: 'numeric';
  readonly name: string;
  /** Mean of the present training values; also the imputed value for missing ones. */
  readonly mean: number;
  /** Population standard deviation of the present training values; 1 when it is 0. */
  readonly std: number;
}

/** How one categorical feature is one-hot encoded. */
export interface CategoricalFeatureState {
  readonly type: 'categorical';
  readonly name: string;
  /** Stringified training values, most frequent first; its length + 1 columns are encoded. */
  readonly vocabulary: readonly string[];
}

export type FeatureState = NumericFeatureState | CategoricalFeatureState;

/** How the target is turned into network outputs and back. */
export type TargetState =
  | { readonly task: 'regression'; readonly name: string; readonly mean: number; readonly std: number }
  | { readonly task: 'classification'; readonly name: string; readonly classes: readonly string[] };

/** The fitted preprocessing: JSON-serialisable, saved in the model bundle. */
export interface PreprocessingState {
  readonly version: 1;
  readonly features: readonly FeatureState[];
  readonly target: TargetState;
  /** Number of encoded columns per row. */
  readonly width: number;
}

/** The parts of a pipeline spec that preprocessing needs. */
export interface PreprocessingSpec {
  readonly task: Task;
  readonly data: Pick<PipelineSpec['data'], 'target' | 'features'>;
}

/** Fits the preprocessing state on the training split. Throws MlopsError('DataInvalid'). */
export function fitPreprocessing(spec: PreprocessingSpec, train: TabularData): PreprocessingState {
  if (train.rows === 0) throw new MlopsError('DataInvalid', 'the training split has no rows; provide more data or lower data.split.test');
  const features = spec.data.features.map((f) => fitFeature(f, columnOf(train, f.name)));
  const target = fitTarget(spec.task, spec.data.target, columnOf(train, spec.data.target));
  const width = features.reduce((sum, f) => sum + featureWidth(f), 0);
  return { version: 1, features, target, width };
}

/** Number of encoded columns one feature occupies. */
export function featureWidth(f: FeatureState): number {
  return f.type === 'numeric' ? 2 : f.vocabulary.length + 1;
}

/** Number of network outputs: 1 for regression and binary classification, else one per class. */
export function targetWidth(state: PreprocessingState): number {
  const t = state.target;
  return t.task === 'classification' && t.classes.length > 2 ? t.classes.length : 1;
}

/**
 * Encodes features into a row-major Float32Array of `rows × state.width`.
 * Accepts a column-major table (training, evaluation) or instance objects (the reference the
 * predictor's tests and the serving bench check the forward pass against). Instances are
 * validated: a wrong one throws MlopsError('BadRequest') naming the instance and feature.
 */
export function encodeFeatures(
  state: PreprocessingState,
  input: TabularData | readonly Record<string, unknown>[],
): Float32Array {
  return isTable(input) ? encodeTable(state, input) : encodeInstances(state, input);
}

/**
 * Encodes the target column: standardized floats for regression; for classification a
 * 0/1 float per row when there are two classes, else a one-hot row per class.
 * Throws MlopsError('DataInvalid') for missing or non-numeric targets.
 */
export function encodeTarget(state: PreprocessingState, data: TabularData): Float32Array {
  const t = state.target;
  const column = columnOf(data, t.name);
  if (t.task === 'regression') {
    const out = new Float32Array(data.rows);
    for (let i = 0; i < data.rows; i++) out[i] = (regressionTargetValue(t.name, column[i], i) - t.mean) / t.std;
    return out;
  }
  const width = targetWidth(state);
  const index = new Map(t.classes.map((c, i) => [c, i]));
  const out = new Float32Array(data.rows * width);
  for (let i = 0; i < data.rows; i++) {
    const label = classLabel(t.name, column[i], i);
    const k = index.get(label);
    if (k === undefined) {
      throw new MlopsError('DataInvalid', `target "${t.name}" row ${i} has class "${label}", which the model does not know (classes: ${t.classes.join(', ')})`);
    }
    if (width === 1) out[i] = k;
    else out[i * width + k] = 1;
  }
  return out;
}

/** Turns a standardized regression output back into the target's units. */
export function decodeRegression(state: PreprocessingState, z: number): number {
  const t = state.target;
  return t.task === 'regression' ? z * t.std + t.mean : z;
}

// ---------------------------------------------------------------------------------------
// Fitting

function fitFeature(spec: FeatureSpec, column: readonly CellValue[]): FeatureState {
  if (spec.type === 'numeric') {
    const values = column.map((v, i) => trainingNumber(spec.name, v, i)).filter((v): v is number => v !== null);
    return { type: 'numeric', name: spec.name, ...meanStd(values) };
  }
  return { type: 'categorical', name: spec.name, vocabulary: topValues(column, MAX_VOCABULARY) };
}

function fitTarget(task: Task, name: string, column: readonly CellValue[]): TargetState {
  if (task === 'regression') {
    return { task, name, ...meanStd(column.map((v, i) => regressionTargetValue(name, v, i))) };
  }
  const classes = [...new Set(column.map((v, i) => classLabel(name, v, i)))].sort();
  if (classes.length < 2) {
    throw new MlopsError(
      'DataInvalid',
      `target "${name}" has a single class (${classes[0] ?? 'none'}) in the training data; classification needs at least two classes`,
    );
  }
  return { task, name, classes };
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  // Work in units of the largest magnitude so squares of huge values cannot overflow.
  const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const mean = values.reduce((s, v) => s + v / scale, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v / scale - mean) ** 2, 0) / values.length;
  const std = Math.sqrt(variance) * scale;
  // A constant column carries no information; dividing by 1 keeps it finite.
  return { mean: mean * scale, std: std > 0 ? std : 1 };
}

function topValues(column: readonly CellValue[], max: number): string[] {
  const counts = new Map<string, number>();
  for (const v of column) {
    if (v === null || v === undefined) continue;
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // Ties broken by value so the vocabulary does not depend on row order.
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, max)
    .map(([k]) => k);
}

/** A training cell of a numeric feature: a number, or null when missing. */
function trainingNumber(name: string, v: CellValue | undefined, row: number): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number') {
    throw new MlopsError('DataInvalid', `numeric feature "${name}" row ${row} holds the text ${JSON.stringify(v)}; clean the column or declare the feature categorical`);
  }
  // NaN/Infinity are how some sources spell "missing"; they must not poison the mean.
  return Number.isFinite(v) ? v : null;
}

function regressionTargetValue(name: string, v: CellValue | undefined, row: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === null || v === undefined || typeof v === 'number') {
    throw new MlopsError('DataInvalid', `regression target "${name}" is missing in row ${row}; drop rows without a target (e.g. with data.query ... WHERE "${name}" IS NOT NULL)`);
  }
  throw new MlopsError('DataInvalid', `regression target "${name}" must be numeric, but row ${row} holds ${JSON.stringify(v)}; use task: classification for labels`);
}

function classLabel(name: string, v: CellValue | undefined, row: number): string {
  if (v === null || v === undefined) {
    throw new MlopsError('DataInvalid', `classification target "${name}" is missing in row ${row}; drop rows without a label`);
  }
  return String(v);
}

function columnOf(data: TabularData, name: string): readonly CellValue[] {
  const column = data.columns[name];
  if (column === undefined) {
    throw new MlopsError('DataInvalid', `column "${name}" is not in the data; columns present: ${Object.keys(data.columns).join(', ')}`);
  }
  return column;
}

// ---------------------------------------------------------------------------------------
// Encoding

function isTable(input: TabularData | readonly Record<string, unknown>[]): input is TabularData {
  return !Array.isArray(input);
}

/** Vocabulary lookups built once per state object (shared with the predictor's first layer). */
const vocabularyIndex = new WeakMap<CategoricalFeatureState, Map<string, number>>();

export function vocabularyIndexOf(f: CategoricalFeatureState): Map<string, number> {
  let map = vocabularyIndex.get(f);
  if (!map) {
    map = new Map(f.vocabulary.map((v, i) => [v, i]));
    vocabularyIndex.set(f, map);
  }
  return map;
}

function encodeTable(state: PreprocessingState, data: TabularData): Float32Array {
  const out = new Float32Array(data.rows * state.width);
  let offset = 0;
  for (const f of state.features) {
    const column = columnOf(data, f.name);
    for (let i = 0; i < data.rows; i++) {
      const v = column[i];
      const at = i * state.width + offset;
      if (f.type === 'numeric') writeNumeric(f, trainingNumber(f.name, v, i), out, at);
      else writeCategorical(f, v === null || v === undefined ? null : String(v), out, at);
    }
    offset += featureWidth(f);
  }
  return out;
}

function encodeInstances(state: PreprocessingState, instances: readonly Record<string, unknown>[]): Float32Array {
  const out = new Float32Array(instances.length * state.width);
  instances.forEach((instance, i) => {
    checkInstance(instance, i);
    let offset = i * state.width;
    for (const f of state.features) {
      if (!Object.hasOwn(instance, f.name)) throw missingFeature(f.name, i, state.features);
      const v = instance[f.name];
      if (f.type === 'numeric') writeNumeric(f, servingNumber(f.name, v, i), out, offset);
      else writeCategorical(f, servingCategory(f.name, v, i), out, offset);
      offset += featureWidth(f);
    }
  });
  return out;
}

function writeNumeric(f: NumericFeatureState, v: number | null, out: Float32Array, at: number): void {
  // Missing → mean, which standardizes to 0; the flag lets the network tell the two apart.
  out[at] = v === null ? 0 : (v - f.mean) / f.std;
  out[at + 1] = v === null ? 1 : 0;
}

function writeCategorical(f: CategoricalFeatureState, v: string | null, out: Float32Array, at: number): void {
  const k = v === null ? undefined : vocabularyIndexOf(f).get(v);
  out[at + (k ?? f.vocabulary.length)] = 1;
}

function servingNumber(name: string, v: unknown, i: number): number | null {
  if (v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw badNumber(name, v, i);
}

function servingCategory(name: string, v: unknown, i: number): string | null {
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badCategory(name, v, i);
}
