/**
 * KServe v2 / Open Inference Protocol (REST) for tabular models.
 *
 * Request: one input tensor per feature, named after the feature, with one value per
 * instance: shape `[N]` or `[N, 1]`, `data` flat or nested in row-major order. Numeric
 * features use a numeric datatype (FP32, FP64, INT64, ...); categorical features use `BYTES`
 * with string data (numeric datatypes are accepted too, for categories coded as numbers).
 *
 *   { "inputs": [ { "name": "trip_distance", "shape": [2], "datatype": "FP64", "data": [2.5, 1.1] },
 *                 { "name": "PULocationID",  "shape": [2], "datatype": "BYTES", "data": ["132", "7"] } ] }
 *
 * Response outputs:
 * - regression: `predictions`, FP64, shape `[N]`.
 * - classification: `predictions`, BYTES, shape `[N]`, the predicted label per instance; and
 *   `probabilities`, FP64, shape `[N, C]`, row-major, where column j is the probability of
 *   class `parameters.classes[j]` (the class order is also in the model metadata). This
 *   mirrors how KServe's sklearn/xgboost servers return `predict_proba`, while keeping the
 *   class names that a bare tensor would lose.
 * A request may ask for a subset with `"outputs": [{ "name": "probabilities" }]`.
 */
import type { FeatureSpec } from '../spec/schema.js';
import type { Prediction, Predictor } from '../model/types.js';
import { HttpError } from './http-error.js';
import { checkBatchSize, describeValue, isPlainObject, type Instance } from './instances.js';

/** Tensor description as used by OIP metadata. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
}

export interface OutputTensor extends TensorMetadata {
  readonly data: (number | string)[];
  readonly parameters?: Record<string, unknown>;
}

export interface InferRequest {
  readonly instances: Instance[];
  readonly id?: string;
  /** Names of the outputs the client asked for; undefined means all. */
  readonly outputs?: string[];
}

const numericTypes = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'FP16', 'FP32', 'FP64']);
const datatypes = [...numericTypes, 'BOOL', 'BYTES'];
const example = '{"inputs": [{"name": "<feature>", "shape": [N], "datatype": "FP64", "data": [...]}]}';

/** The class names of a classifier: from the predictor when it says, else from the predictions. */
export function classesOf(predictor: Predictor, predictions: readonly Prediction[] = []): string[] | undefined {
  const declared = (predictor as { classes?: unknown }).classes;
  if (Array.isArray(declared) && declared.every((c) => typeof c === 'string')) return declared;
  if (predictor.task !== 'classification') return undefined;
  const seen = new Set<string>();
  for (const p of predictions) if (typeof p === 'object') for (const c of Object.keys(p.probabilities)) seen.add(c);
  return seen.size > 0 ? [...seen] : undefined;
}

/** Input and output tensors of a model, for `GET /v2/models/{name}`. */
export function tensorMetadata(features: readonly FeatureSpec[], task: string): { inputs: TensorMetadata[]; outputs: TensorMetadata[] } {
  const inputs = features.map((f) => ({ name: f.name, datatype: f.type === 'categorical' ? 'BYTES' : 'FP64', shape: [-1] }));
  const outputs =
    task === 'classification'
      ? [
          { name: 'predictions', datatype: 'BYTES', shape: [-1] },
          { name: 'probabilities', datatype: 'FP64', shape: [-1, -1] },
        ]
      : [{ name: 'predictions', datatype: 'FP64', shape: [-1] }];
  return { inputs, outputs };
}

/** Validates an OIP infer request and turns its columns into instances. */
export function parseInferRequest(body: unknown, maxInstances: number): InferRequest {
  if (!isPlainObject(body)) throw new HttpError(400, `the body must be a JSON object like ${example}, got ${describeValue(body)}`);
  const { inputs } = body;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new HttpError(400, `"inputs" must be a non-empty list with one tensor per feature, like ${example}`);
  }
  const columns = new Map<string, unknown[]>();
  let count: number | undefined;
  inputs.forEach((input: unknown, i) => {
    const { name, values } = parseInput(input, i);
    if (columns.has(name)) throw new HttpError(400, `inputs[${i}]: the input "${name}" is given twice; send each feature once`);
    if (count !== undefined && values.length !== count) {
      throw new HttpError(400, `input "${name}" has ${values.length} values but the first input has ${count}: every feature needs one value per instance`);
    }
    count = values.length;
    columns.set(name, values);
  });
  if (count === 0) throw new HttpError(400, 'the inputs hold no values: send at least one instance (shape [N] with N >= 1)');
  checkBatchSize(count!, maxInstances);
  const entries = [...columns];
  const instances = Array.from({ length: count! }, (_, row) => Object.fromEntries(entries.map(([name, values]) => [name, values[row]])));
  return { instances, id: parseId(body.id), outputs: parseRequestedOutputs(body.outputs) };
}

function parseInput(input: unknown, i: number): { name: string; values: unknown[] } {
  if (!isPlainObject(input)) throw new HttpError(400, `inputs[${i}] is ${describeValue(input)}: each input must be an object like ${example}`);
  const { name, datatype, shape, data } = input;
  if (typeof name !== 'string' || name === '') throw new HttpError(400, `inputs[${i}] needs a "name": the feature it holds`);
  const where = `input "${name}"`;
  if (typeof datatype !== 'string' || !datatypes.includes(datatype)) {
    throw new HttpError(400, `${where}: "datatype" must be one of ${datatypes.join(', ')} (FP64 for numeric, BYTES for categorical features)`);
  }
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 2 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new HttpError(400, `${where}: "shape" must be [N] or [N, 1] with N the number of instances`);
  }
  if (shape.length === 2 && shape[1] !== 1) {
    throw new HttpError(400, `${where} has shape [${shape.join(', ')}]: send one value per instance, shape [N] or [N, 1]`);
  }
  if (!Array.isArray(data)) throw new HttpError(400, `${where}: "data" must be a list of values`);
  const values = data.flat(2);
  const batch = shape[0] as number;
  if (values.length !== batch) {
    throw new HttpError(400, `${where} has ${values.length} values but its shape [${shape.join(', ')}] says ${batch}: make them agree`);
  }
  const bad = values.findIndex((v) => !fitsDatatype(v, datatype));
  if (bad >= 0) {
    throw new HttpError(400, `${where}: data[${bad}] is ${describeValue(values[bad])} but the datatype is ${datatype}; use ${datatype === 'BYTES' ? 'strings' : datatype === 'BOOL' ? 'true/false' : 'numbers'}`);
  }
  return { name, values };
}

function fitsDatatype(value: unknown, datatype: string): boolean {
  if (datatype === 'BYTES') return typeof value === 'string';
  if (datatype === 'BOOL') return typeof value === 'boolean';
  return typeof value === 'number';
}

function parseId(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== 'string') throw new HttpError(400, `"id" must be a string, got ${describeValue(id)}`);
  return id;
}

function parseRequestedOutputs(outputs: unknown): string[] | undefined {
  if (outputs === undefined) return undefined;
  if (!Array.isArray(outputs) || !outputs.every((o) => isPlainObject(o) && typeof o.name === 'string')) {
    throw new HttpError(400, '"outputs" must be a list like [{"name": "predictions"}]');
  }
  return outputs.map((o) => (o as { name: string }).name);
}

/** Predictions → OIP output tensors, filtered to the requested ones. */
export function outputTensors(predictor: Predictor, predictions: readonly Prediction[], requested?: readonly string[]): OutputTensor[] {
  const all = predictor.task === 'classification' ? classificationOutputs(predictor, predictions) : regressionOutputs(predictions);
  if (requested === undefined) return all;
  return requested.map((name) => {
    const found = all.find((o) => o.name === name);
    if (!found) throw new HttpError(400, `the model has no output "${name}"; its outputs are: ${all.map((o) => o.name).join(', ')}`);
    return found;
  });
}

function regressionOutputs(predictions: readonly Prediction[]): OutputTensor[] {
  const data = predictions.map((p) => (typeof p === 'number' ? p : Number.NaN));
  return [{ name: 'predictions', datatype: 'FP64', shape: [data.length], data }];
}

function classificationOutputs(predictor: Predictor, predictions: readonly Prediction[]): OutputTensor[] {
  const classes = classesOf(predictor, predictions) ?? [];
  const labels = predictions.map((p) => (typeof p === 'object' ? p.label : String(p)));
  const probabilities = predictions.flatMap((p) => classes.map((c) => (typeof p === 'object' ? (p.probabilities[c] ?? 0) : 0)));
  return [
    { name: 'predictions', datatype: 'BYTES', shape: [labels.length], data: labels },
    { name: 'probabilities', datatype: 'FP64', shape: [labels.length, classes.length], data: probabilities, parameters: { classes } },
  ];
}
