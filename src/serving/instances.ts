/**
 * The body of a TensorFlow-Serving-style predict request, turned into instances (feature
 * name → value). Two formats, as in TF Serving's REST API:
 *   row:      { "instances": [ { "trip_distance": 2.5, "PULocationID": "132" }, ... ] }
 *   columnar: { "inputs": { "trip_distance": [2.5, 1.1], "PULocationID": ["132", "7"] } }
 * Both answer `{ "predictions": [...] }` (the design's contract), one entry per instance.
 * Values are checked by the predictor, which names the instance and field that is wrong.
 */
import { HttpError } from './http-error.js';

export type Instance = Record<string, unknown>;

/** Requests may carry at most this many instances unless the server is configured otherwise. */
export const defaultMaxInstances = 10_000;

const rowExample = '{"instances": [{"feature": value, ...}, ...]}';
const columnExample = '{"inputs": {"feature": [value, ...], ...}}';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function checkBatchSize(count: number, maxInstances: number): void {
  if (count > maxInstances) {
    throw new HttpError(413, `the request has ${count} instances but at most ${maxInstances} are allowed per request: split it into smaller batches`);
  }
}

/** Row or columnar body → instances; throws HttpError 400/413 naming what to fix. */
export function instancesFromBody(body: unknown, maxInstances: number = defaultMaxInstances): Instance[] {
  if (!isPlainObject(body)) {
    throw new HttpError(400, `the body must be a JSON object like ${rowExample}, got ${describeValue(body)}`);
  }
  const hasRows = body.instances !== undefined;
  const hasColumns = body.inputs !== undefined;
  if (hasRows && hasColumns) {
    throw new HttpError(400, `send either "instances" (${rowExample}) or "inputs" (${columnExample}), not both`);
  }
  if (hasRows) return rows(body.instances, maxInstances);
  if (hasColumns) return columns(body.inputs, maxInstances);
  throw new HttpError(400, `the body has no "instances": send ${rowExample} (or columnar ${columnExample})`);
}

function rows(instances: unknown, maxInstances: number): Instance[] {
  if (!Array.isArray(instances)) {
    throw new HttpError(400, `"instances" must be a list of objects like ${rowExample}, got ${describeValue(instances)}`);
  }
  if (instances.length === 0) throw new HttpError(400, `"instances" is empty: send at least one instance, e.g. ${rowExample}`);
  checkBatchSize(instances.length, maxInstances);
  instances.forEach((instance: unknown, i) => {
    if (!isPlainObject(instance)) {
      throw new HttpError(400, `instances[${i}] is ${describeValue(instance)}: each instance must be an object mapping feature names to values, like {"feature": 1.5}`);
    }
  });
  return instances as Instance[];
}

function columns(inputs: unknown, maxInstances: number): Instance[] {
  if (!isPlainObject(inputs)) {
    throw new HttpError(400, `"inputs" must be an object mapping each feature to a list of values, like ${columnExample}, got ${describeValue(inputs)}`);
  }
  const entries = Object.entries(inputs);
  if (entries.length === 0) throw new HttpError(400, `"inputs" is empty: give a list of values per feature, like ${columnExample}`);
  let count: number | undefined;
  for (const [feature, values] of entries) {
    if (!Array.isArray(values)) {
      throw new HttpError(400, `inputs["${feature}"] is ${describeValue(values)}: give a list with one value per instance`);
    }
    if (count !== undefined && values.length !== count) {
      throw new HttpError(400, `inputs["${feature}"] has ${values.length} values but "${entries[0]![0]}" has ${count}: every feature needs one value per instance`);
    }
    count = values.length;
  }
  if (count === 0) throw new HttpError(400, `the lists in "inputs" are empty: send at least one value per feature, like ${columnExample}`);
  checkBatchSize(count!, maxInstances);
  return Array.from({ length: count! }, (_, i) => Object.fromEntries(entries.map(([feature, values]) => [feature, (values as unknown[])[i]])));
}
