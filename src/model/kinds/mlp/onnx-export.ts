/**
 * The built-in MLP as an ONNX graph with its preprocessing inside, so the graph takes raw
 * feature values (one input per feature, named as the feature, `[N,1]`: numeric double,
 * categorical string) like any model trained elsewhere. It computes what ../../preprocess.ts
 * and TensorFlow.js compute:
 * - numeric features, all at once: `(x - mean) / std` and an is-missing flag, the missing value
 *   (NaN) imputed as the mean (IsNaN, Where, Sub, Div on one `[N,K]` tensor);
 * - categorical: one-hot over the vocabulary plus the out-of-vocabulary bucket (unseen and
 *   missing values): ai.onnx.ml LabelEncoder, then Equal against 0..V;
 * - dense layers in float32, as TensorFlow.js runs them: MatMul, Add, the activation;
 * - regression: the output times the target's std plus its mean; classification: probabilities
 *   `[N,C]` (a binary sigmoid becomes `[1 - p, p]`), the labels in the `classes` metadata.
 *
 * A call's cost is mostly onnxruntime's per-node overhead, so the graph is kept short: the
 * numeric features share their nodes, and the first layer's kernel rows are reordered to the
 * graph's column order (values, flags, one-hots) instead of interleaving columns at run time.
 */
import type { onnx as proto } from 'onnx-proto';
import { onnx } from '../../onnx-proto.js';
import type { ModelBundle } from '../../bundle.js';
import { featureWidth, type CategoricalFeatureState, type FeatureState, type NumericFeatureState } from '../../preprocess.js';

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

/** The name of the output: `prediction` (regression) or `probabilities` (classification). */
export function mlpOutputName(bundle: Pick<ModelBundle, 'task'>): string {
  return bundle.task === 'regression' ? 'prediction' : 'probabilities';
}

/** The bundle's network and preprocessing as a serialized ONNX ModelProto. */
export function exportMlpToOnnx(bundle: ModelBundle): Uint8Array {
  const graph = new GraphBuilder();
  const features = bundle.preprocessing.features;
  const numeric = features.filter((f): f is NumericFeatureState => f.type === 'numeric');
  const [values, missing] = numeric.length > 0 ? graph.numeric(numeric) : [];
  // The flags and one-hots are booleans: concatenated first, they need one Cast between them.
  const booleans = [...(missing ? [missing] : []), ...features.flatMap((f, k) => (f.type === 'categorical' ? [graph.categorical(f, k)] : []))];
  // TensorFlow.js is fed the encoded rows as float32 and computes every layer in float32.
  const columns = [values, booleans.length === 0 ? undefined : booleans.length === 1 ? booleans[0] : graph.node('Concat', booleans, { axis: 1 })]
    .filter((c): c is string => c !== undefined)
    .map((c) => graph.node('Cast', [c], { to: DataType.FLOAT }));
  let x = columns.length === 1 ? (columns[0] as string) : graph.node('Concat', columns, { axis: 1 });
  let inputs = bundle.preprocessing.width;
  const order = graphColumnOrder(features);
  bundle.layers.forEach((layer, l) => {
    const kernel = l === 0 ? reorderRows(layer.kernel, order, layer.units) : layer.kernel;
    const weights = graph.constant(`layer${l}_kernel`, [inputs, layer.units], kernel, DataType.FLOAT);
    const bias = graph.constant(`layer${l}_bias`, [layer.units], layer.bias, DataType.FLOAT);
    x = activation(graph, layer.activation, graph.node('Add', [graph.node('MatMul', [x, weights]), bias]));
    inputs = layer.units;
  });
  x = graph.node('Cast', [x], { to: DataType.DOUBLE });
  const target = bundle.preprocessing.target;
  const output = mlpOutputName(bundle);
  if (target.task === 'regression') {
    graph.node('Add', [graph.node('Mul', [x, graph.constant('target_std', [], [target.std])]), graph.constant('target_mean', [], [target.mean])], {}, output);
  } else if (inputs === 1) {
    graph.node('Concat', [graph.node('Sub', [graph.constant('one', [], [1]), x]), x], { axis: 1 }, output);
  } else {
    graph.node('Identity', [x], {}, output);
  }
  const width = target.task === 'regression' ? 1 : target.classes.length;
  const model: proto.IModelProto = {
    irVersion: 7,
    producerName: 'temporal-mlops',
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 2 },
    ],
    metadataProps: [
      { key: 'format', value: 'temporal-mlops/mlp-onnx@1' },
      ...(target.task === 'classification' ? [{ key: 'classes', value: JSON.stringify(target.classes) }] : []),
    ],
    graph: {
      name: bundle.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: bundle.features.map((f) => tensorInfo(f.name, f.type === 'numeric' ? DataType.DOUBLE : DataType.STRING, 1)),
      output: [tensorInfo(output, DataType.DOUBLE, width)],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/**
 * For each column of the graph's encoded rows, the column of preprocess.ts's layout it holds.
 * preprocess.ts interleaves `[value, flag]` per numeric feature and the one-hots in feature
 * order; the graph puts every value first, then every flag, then the one-hots.
 */
function graphColumnOrder(features: readonly FeatureState[]): number[] {
  const values: number[] = [];
  const flags: number[] = [];
  const oneHots: number[] = [];
  let offset = 0;
  for (const f of features) {
    if (f.type === 'numeric') {
      values.push(offset);
      flags.push(offset + 1);
    } else {
      for (let j = 0; j <= f.vocabulary.length; j++) oneHots.push(offset + j);
    }
    offset += featureWidth(f);
  }
  return [...values, ...flags, ...oneHots];
}

/** A row-major `[rows, units]` kernel with its rows taken in `order`. */
function reorderRows(kernel: readonly number[], order: readonly number[], units: number): number[] {
  return order.flatMap((row) => kernel.slice(row * units, (row + 1) * units));
}

function activation(graph: GraphBuilder, name: ModelBundle['layers'][number]['activation'], x: string): string {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return graph.node('Relu', [x]);
    case 'sigmoid':
      return graph.node('Sigmoid', [x]);
    case 'softmax':
      return graph.node('Softmax', [x], { axis: 1 });
  }
}

type AttributeValue = number | string[] | number[];

/** Nodes and initializers of one graph, with generated names. */
class GraphBuilder {
  readonly nodes: proto.INodeProto[] = [];
  readonly initializers: proto.ITensorProto[] = [];
  private count = 0;

  /** Adds a node; returns the name of its (single) output. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output = `t${this.count++}`, domain = ''): string {
    this.nodes.push({ opType, domain, input: inputs, output: [output], attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) });
    return output;
  }

  /** A double (or float) tensor initializer, stored as raw little-endian bytes so values are exact. */
  constant(name: string, dims: number[], values: readonly number[], dataType: number = DataType.DOUBLE): string {
    const array = dataType === DataType.FLOAT ? Float32Array.from(values) : Float64Array.from(values);
    this.initializers.push({ name, dims, dataType, rawData: new Uint8Array(array.buffer) });
    return name;
  }

  /**
   * The numeric features' standardized values `[N,K]` and is-missing flags (bool `[N,K]`), the missing
   * value imputed as the mean (standardizes to 0).
   */
  numeric(features: readonly NumericFeatureState[]): [string, string] {
    const names = features.map((f) => f.name);
    const x = names.length === 1 ? (names[0] as string) : this.node('Concat', names, { axis: 1 });
    const mean = this.constant('numeric_mean', [1, features.length], features.map((f) => f.mean));
    const missing = this.node('IsNaN', [x]);
    const filled = this.node('Where', [missing, mean, x]);
    const z = this.node('Div', [this.node('Sub', [filled, mean]), this.constant('numeric_std', [1, features.length], features.map((f) => f.std))]);
    return [z, missing];
  }

  /** One-hot (bool) over the vocabulary, then the out-of-vocabulary bucket. */
  categorical(f: CategoricalFeatureState, k: number): string {
    const size = f.vocabulary.length;
    // LabelEncoder needs a key: with an empty vocabulary everything lands in bucket 0, the OOV one.
    const keys = size > 0 ? [...f.vocabulary] : ['\u0000'];
    const index = this.node('LabelEncoder', [f.name], { keys_strings: keys, values_int64s: keys.map((_, i) => (size > 0 ? i : 0)), default_int64: size }, `f${k}_index`, 'ai.onnx.ml');
    const buckets = `f${k}_buckets`;
    this.initializers.push({ name: buckets, dims: [1, size + 1], dataType: DataType.INT64, rawData: new Uint8Array(BigInt64Array.from({ length: size + 1 }, (_, i) => BigInt(i)).buffer) });
    return this.node('Equal', [index, buckets]);
  }
}

function attribute(name: string, value: AttributeValue): proto.IAttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (value.every((v) => typeof v === 'string')) return { name, type: AttributeType.STRINGS, strings: (value as string[]).map((s) => Buffer.from(s, 'utf8')) };
  return { name, type: AttributeType.INTS, ints: value as number[] };
}

function tensorInfo(name: string, elemType: number, width: number): proto.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } };
}
