/**
 * A Predictor over any ONNX graph with the raw-features signature (design.md, "Any model, any
 * trainer"): one input per feature named as the feature (`[N,1]`; numeric float/double/int64,
 * categorical string — skl2onnx's convention), or one float `[N,F]` input with the numeric
 * features in spec order. Regression reads the first output (`[N]` or `[N,1]`); classification
 * a probability tensor `[N,C]` (`[N,1]`: P(second class)) with labels from the manifest
 * (`model.classes`) or the graph's `classes` metadata. A call is one session run.
 */
import { MlopsError } from '../errors.js';
import type { FeatureSpec, Task } from '../spec/schema.js';
import { badCategory, badNumber, checkInstance, missingFeature } from './instance-errors.js';
import { createSession, ort } from './onnx-runtime.js';
import type { Prediction, Predictor } from './types.js';

/** What the graph must serve: from the manifest (or the spec, when importing). */
export interface OnnxModelInfo {
  readonly task: Task;
  readonly features: readonly FeatureSpec[];
  /** Labels of the probability columns; else the graph's `classes` metadata. */
  readonly classes?: readonly string[];
  /** The graph's metadata_props (e.g. `classes` as a JSON list). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A predictor that holds an onnxruntime session; `dispose()` frees it. */
export interface OnnxPredictor extends Predictor {
  predict(instances: readonly Record<string, unknown>[]): Promise<Prediction[]>;
  dispose(): Promise<void>;
}

type NumericType = 'float32' | 'float64' | 'int64';
type Feed =
  | { readonly layout: 'per-feature'; readonly inputs: readonly { readonly name: string; readonly feature: FeatureSpec; readonly type: NumericType | 'string'; readonly rank: number }[] }
  | { readonly layout: 'matrix'; readonly name: string; readonly type: 'float32' | 'float64' };

/**
 * Loads `bytes` into onnxruntime and checks its signature against `info`. Throws
 * MlopsError('ModelInvalid') naming what to fix: a graph onnxruntime cannot load, inputs that
 * do not match the features, no usable output, probabilities without labels.
 */
export async function createOnnxPredictor(bytes: Uint8Array, info: OnnxModelInfo): Promise<OnnxPredictor> {
  let session: ort.InferenceSession;
  try {
    session = await createSession(bytes);
  } catch (err) {
    throw invalid(`onnxruntime cannot load the graph (${(err as Error).message.split('\n')[0]}); export it again with a supported opset (e.g. torch.onnx.export(..., opset_version=17)) and check it with onnx.checker.check_model`);
  }
  try {
    const feed = feedOf(session, info.features);
    const output = outputOf(session, info.task);
    const classes = info.task === 'classification' ? labelsOf(info) : undefined;
    return {
      task: info.task,
      features: info.features,
      classes,
      async predict(instances) {
        if (instances.length === 0) return [];
        const results = await session.run(feeds(feed, info.features, instances));
        const tensor = results[output];
        if (!tensor) throw invalid(`the graph returned no output "${output}"`);
        return info.task === 'regression' ? regressions(tensor, instances.length, output) : classifications(tensor, instances.length, output, classes ?? []);
      },
      dispose: () => session.release(),
    };
  } catch (err) {
    await session.release();
    throw err;
  }
}

/** How instances enter the graph, read from its inputs. */
function feedOf(session: ort.InferenceSession, features: readonly FeatureSpec[]): Feed {
  const inputs = session.inputMetadata;
  const byName = new Map(features.map((f) => [f.name, f]));
  if (inputs.length === features.length && inputs.every((i) => byName.has(i.name))) {
    return {
      layout: 'per-feature',
      inputs: inputs.map((i) => {
        const feature = byName.get(i.name) as FeatureSpec;
        const type = i.isTensor ? i.type : 'non-tensor';
        const wanted = feature.type === 'numeric' ? ['float32', 'float64', 'int64'] : ['string'];
        if (!wanted.includes(type)) {
          throw invalid(`input "${i.name}" is ${type}, but feature "${feature.name}" is ${feature.type}: a ${feature.type} feature's input is ${feature.type === 'numeric' ? 'float, double or int64' : 'string'} [N,1]`);
        }
        return { name: i.name, feature, type: type as NumericType | 'string', rank: i.isTensor ? Math.max(1, i.shape.length) : 2 };
      }),
    };
  }
  const only = inputs[0];
  if (inputs.length === 1 && only?.isTensor && (only.type === 'float32' || only.type === 'float64') && only.shape.length === 2) {
    const width = only.shape[1];
    if (features.some((f) => f.type !== 'numeric')) {
      throw invalid(`the graph has one matrix input "${only.name}", but the spec has categorical features (${features.filter((f) => f.type !== 'numeric').map((f) => f.name).join(', ')}); give it one input per feature, named as the feature (strings for categorical ones)`);
    }
    if (typeof width === 'number' && width !== features.length) {
      throw invalid(`input "${only.name}" has ${width} columns, but the spec lists ${features.length} features (${features.map((f) => f.name).join(', ')}); the columns are the features in spec order`);
    }
    return { layout: 'matrix', name: only.name, type: only.type };
  }
  const have = inputs.map((i) => `${i.name}: ${i.isTensor ? `${i.type}[${i.shape.join(',')}]` : 'non-tensor'}`).join(', ');
  const want = features.map((f) => `${f.name} (${f.type})`).join(', ');
  const missing = features.filter((f) => !inputs.some((i) => i.name === f.name)).map((f) => f.name);
  throw invalid(
    `the graph's inputs (${have}) do not match the spec's features (${want})${missing.length && inputs.length > 1 ? `; no input for ${missing.join(', ')}` : ''}: give it one input per feature named exactly as the feature ([N,1]; numeric float/double/int64, categorical string), or one float input [N,F] with the features in spec order`,
  );
}

/** The output predictions come from: the first (regression), or the probability tensor (classification). */
function outputOf(session: ort.InferenceSession, task: Task): string {
  const outputs = session.outputMetadata;
  if (task === 'regression') {
    const first = outputs[0];
    if (!first?.isTensor || !['float32', 'float64', 'int64', 'int32'].includes(first.type)) {
      throw invalid(`a regression model's first output is the prediction, a numeric tensor [N] or [N,1]; "${first?.name ?? '(none)'}" is not`);
    }
    return first.name;
  }
  const tensors = outputs.filter((o) => o.isTensor && (o.type === 'float32' || o.type === 'float64') && o.shape.length === 2);
  const chosen = tensors.find((o) => /prob/i.test(o.name)) ?? tensors[0];
  if (!chosen) {
    const zipMap = outputs.some((o) => !o.isTensor);
    throw invalid(
      zipMap
        ? 'the probabilities are a ZipMap sequence of maps, which onnxruntime-node cannot return; convert the model without it (skl2onnx: options={id(model): {"zipmap": False}}) so they are a float tensor [N,C]'
        : `a classifier needs a probability output, a float tensor [N,C]; the outputs are ${outputs.map((o) => o.name).join(', ')}`,
    );
  }
  return chosen.name;
}

function labelsOf(info: OnnxModelInfo): readonly string[] {
  if (info.classes && info.classes.length >= 2) return info.classes;
  const fromGraph = info.metadata?.classes;
  if (fromGraph) {
    try {
      const parsed: unknown = JSON.parse(fromGraph);
      if (Array.isArray(parsed) && parsed.length >= 2) return parsed.map(String);
    } catch {
      // Not a JSON list: fall through to the error below.
    }
  }
  throw invalid('the classifier outputs probabilities without labels: list them in model.classes, in the order of the probability columns (e.g. classes: [Adelie, Chinstrap, Gentoo])');
}

function feeds(feed: Feed, features: readonly FeatureSpec[], instances: readonly Record<string, unknown>[]): Record<string, ort.Tensor> {
  const n = instances.length;
  instances.forEach((instance, i) => {
    checkInstance(instance, i);
    for (const f of features) if (!Object.hasOwn(instance, f.name)) throw missingFeature(f.name, i, features);
  });
  if (feed.layout === 'matrix') {
    const data = feed.type === 'float32' ? new Float32Array(n * features.length) : new Float64Array(n * features.length);
    instances.forEach((instance, i) => features.forEach((f, j) => (data[i * features.length + j] = numberOf(f.name, instance[f.name], i))));
    return { [feed.name]: new ort.Tensor(feed.type, data, [n, features.length]) };
  }
  const out: Record<string, ort.Tensor> = {};
  for (const input of feed.inputs) {
    const dims = input.rank === 1 ? [n] : [n, 1];
    const name = input.feature.name;
    if (input.type === 'string') {
      out[input.name] = new ort.Tensor('string', instances.map((instance, i) => categoryOf(name, instance[name], i)), dims);
    } else if (input.type === 'int64') {
      out[input.name] = new ort.Tensor('int64', BigInt64Array.from(instances, (instance, i) => integerOf(name, instance[name], i)), dims);
    } else {
      const values = instances.map((instance, i) => numberOf(name, instance[name], i));
      out[input.name] = new ort.Tensor(input.type, input.type === 'float32' ? Float32Array.from(values) : Float64Array.from(values), dims);
    }
  }
  return out;
}

/** A numeric value; missing (null) is NaN, which the graph imputes. */
function numberOf(name: string, v: unknown, i: number): number {
  if (v === null) return Number.NaN;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw badNumber(name, v, i);
}

function integerOf(name: string, v: unknown, i: number): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new MlopsError('BadRequest', `instance ${i}: feature "${name}" is an int64 input of the model and needs a whole number, not ${JSON.stringify(v)}`);
}

/** A category as the training data spelled it; missing is the empty string (the out-of-vocabulary bucket). */
function categoryOf(name: string, v: unknown, i: number): string {
  if (v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badCategory(name, v, i);
}

function regressions(tensor: ort.Tensor, n: number, name: string): number[] {
  if (tensor.data.length !== n) throw invalid(`output "${name}" has shape [${tensor.dims.join(',')}] for ${n} rows; a regression answers [N] or [N,1]`);
  return Array.from(tensor.data as ArrayLike<number | bigint>, Number);
}

function classifications(tensor: ort.Tensor, n: number, name: string, classes: readonly string[]): Prediction[] {
  const width = tensor.dims.length === 2 ? Number(tensor.dims[1]) : 0;
  if (tensor.dims[0] !== n || (width !== classes.length && !(width === 1 && classes.length === 2))) {
    throw invalid(`output "${name}" has shape [${tensor.dims.join(',')}] for ${n} rows and ${classes.length} classes (${classes.join(', ')}); the probabilities are [N,C], one column per class`);
  }
  const data = tensor.data as Float32Array | Float64Array;
  const out: Prediction[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = width === 1 ? [1 - (data[i] as number), data[i] as number] : Array.from(data.subarray(i * width, (i + 1) * width));
    const probabilities: Record<string, number> = {};
    let best = 0;
    p.forEach((v, j) => {
      probabilities[classes[j] as string] = v;
      if (v > (p[best] as number)) best = j;
    });
    out[i] = { label: classes[best] as string, probabilities };
  }
  return out;
}

function invalid(message: string): MlopsError {
  return new MlopsError('ModelInvalid', `the ONNX model cannot serve this spec: ${message}`);
}
