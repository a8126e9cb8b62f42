/**
 * The built-in MLP as an ONNX graph with its preprocessing inside, so the graph takes raw
 * feature values (one input per feature, named as the feature, `[N,1]`: numeric double,
 * categorical string) like any model trained elsewhere. It mirrors ../../preprocess.ts and the
 * plain-JS forward pass (../../predictor.ts) step for step, in float64 with each layer's
 * outputs rounded to float32 as TensorFlow.js stores them:
 * - numeric: `[(x - mean) / std, 0]`, or `[0, 1]` when missing (NaN): IsNaN, Where, Sub, Div;
 * - categorical: one-hot over the vocabulary plus the out-of-vocabulary bucket (unseen and
 *   missing values): ai.onnx.ml LabelEncoder, then Equal against 0..V;
 * - dense layers: MatMul, Add, Cast to float and back, the activation;
 * - regression: the output times the target's std plus its mean; classification: probabilities
 *   `[N,C]` (a binary sigmoid becomes `[1 - p, p]`), the labels in the `classes` metadata.
 */
import type { onnx as proto } from 'onnx-proto';
import { onnx } from '../../onnx-proto.js';
import type { ModelBundle } from '../../bundle.js';
import type { CategoricalFeatureState, NumericFeatureState } from '../../preprocess.js';

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

/** The name of the output: `prediction` (regression) or `probabilities` (classification). */
export function mlpOutputName(bundle: Pick<ModelBundle, 'task'>): string {
  return bundle.task === 'regression' ? 'prediction' : 'probabilities';
}

/** The bundle's network and preprocessing as a serialized ONNX ModelProto. */
export function exportMlpToOnnx(bundle: ModelBundle): Uint8Array {
  const graph = new GraphBuilder();
  const columns = bundle.preprocessing.features.map((f, k) => (f.type === 'numeric' ? graph.numeric(f, k) : graph.categorical(f, k)));
  let x = graph.node('Concat', columns, { axis: 1 });
  let inputs = bundle.preprocessing.width;
  bundle.layers.forEach((layer, l) => {
    const weights = graph.constant(`layer${l}_kernel`, [inputs, layer.units], layer.kernel.map(Math.fround));
    const bias = graph.constant(`layer${l}_bias`, [layer.units], layer.bias.map(Math.fround));
    const sum = graph.node('Add', [graph.node('MatMul', [x, weights]), bias]);
    // tfjs keeps each layer's outputs as float32: round like it does.
    const rounded = graph.node('Cast', [graph.node('Cast', [sum], { to: DataType.FLOAT })], { to: DataType.DOUBLE });
    x = activation(graph, layer.activation, rounded);
    inputs = layer.units;
  });
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

  /** A double tensor initializer (stored as raw little-endian bytes, so values are exact). */
  constant(name: string, dims: number[], values: readonly number[]): string {
    this.initializers.push({ name, dims, dataType: DataType.DOUBLE, rawData: new Uint8Array(Float64Array.from(values).buffer) });
    return name;
  }

  /** `[standardized value, is-missing flag]`, the missing value imputed as the mean (standardizes to 0). */
  numeric(f: NumericFeatureState, k: number): string {
    const mean = this.constant(`f${k}_mean`, [], [f.mean]);
    const missing = this.node('IsNaN', [f.name]);
    const filled = this.node('Where', [missing, mean, f.name]);
    const z = this.node('Div', [this.node('Sub', [filled, mean]), this.constant(`f${k}_std`, [], [f.std])]);
    return this.node('Concat', [z, this.node('Cast', [missing], { to: DataType.DOUBLE })], { axis: 1 });
  }

  /** One-hot over the vocabulary, then the out-of-vocabulary bucket. */
  categorical(f: CategoricalFeatureState, k: number): string {
    const size = f.vocabulary.length;
    // LabelEncoder needs a key: with an empty vocabulary everything lands in bucket 0, the OOV one.
    const keys = size > 0 ? [...f.vocabulary] : ['\u0000'];
    const index = this.node('LabelEncoder', [f.name], { keys_strings: keys, values_int64s: keys.map((_, i) => (size > 0 ? i : 0)), default_int64: size }, `f${k}_index`, 'ai.onnx.ml');
    const buckets = `f${k}_buckets`;
    this.initializers.push({ name: buckets, dims: [1, size + 1], dataType: DataType.INT64, rawData: new Uint8Array(BigInt64Array.from({ length: size + 1 }, (_, i) => BigInt(i)).buffer) });
    return this.node('Cast', [this.node('Equal', [index, buckets])], { to: DataType.DOUBLE });
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
