/**
 * A model bundle of the demo's shape without training: preprocessing fitted on the taxi
 * generator's trips (6 features: 4 numeric, 2 categorical zones), seeded Glorot-uniform
 * weights for hidden layers [32, 16] and a linear output. Used by serving tests and
 * bench/serving.bench.ts, which need a real bundle but not a good model.
 */
import { monthTrips } from '../../../src/demo/trip-model.js';
import type { TabularData } from '../../../src/data/types.js';
import { BUNDLE_FORMAT, parseBundle, serializeBundle, type DenseLayer, type ModelBundle } from '../../../src/model/bundle.js';
import { fitPreprocessing } from '../../../src/model/preprocess.js';
import type { FeatureSpec } from '../../../src/spec/schema.js';
import { rng } from '../model/fixtures.js';

export const demoFeatures: FeatureSpec[] = [
  { name: 'trip_distance', type: 'numeric' },
  { name: 'hour', type: 'numeric' },
  { name: 'weekday', type: 'numeric' },
  { name: 'passenger_count', type: 'numeric' },
  { name: 'PULocationID', type: 'categorical' },
  { name: 'DOLocationID', type: 'categorical' },
];

/** Taxi trips as a column table (and as serving instances, below). */
export function demoTrips(rows: number, month = 0): TabularData {
  const trips = monthTrips(42, month, rows);
  return {
    rows,
    columns: {
      trip_distance: trips.map((t) => t.tripDistance),
      hour: trips.map((t) => t.hour),
      weekday: trips.map((t) => t.weekday),
      passenger_count: trips.map((t) => t.passengerCount),
      PULocationID: trips.map((t) => t.puLocationId),
      DOLocationID: trips.map((t) => t.doLocationId),
      duration_min: trips.map((t) => t.durationMin),
    },
  };
}

/** `n` request instances (feature name → value) drawn from a later month's trips. */
export function demoInstances(n: number): Record<string, unknown>[] {
  const { columns } = demoTrips(n, 3);
  return Array.from({ length: n }, (_, i) => Object.fromEntries(demoFeatures.map((f) => [f.name, f.type === 'categorical' ? String(columns[f.name]![i]) : columns[f.name]![i]])));
}

let fitted: ReturnType<typeof fitPreprocessing> | undefined;

/** The bundle; `seed` changes the weights, so two seeds make two distinguishable versions. */
export function demoBundle(seed = 1, hiddenUnits: readonly number[] = [32, 16]): ModelBundle {
  const preprocessing = (fitted ??= fitPreprocessing({ task: 'regression', data: { target: 'duration_min', features: demoFeatures } }, demoTrips(2000)));
  const random = rng(seed);
  let inputs = preprocessing.width;
  const layers: DenseLayer[] = [...hiddenUnits, 1].map((units, i) => {
    const limit = Math.sqrt(6 / (inputs + units));
    const layer: DenseLayer = {
      units,
      activation: i === hiddenUnits.length ? 'linear' : 'relu',
      kernel: Array.from({ length: inputs * units }, () => (random() * 2 - 1) * limit),
      bias: Array.from({ length: units }, () => (random() - 0.5) * 0.1),
    };
    inputs = units;
    return layer;
  });
  const bundle: ModelBundle = {
    format: BUNDLE_FORMAT,
    name: 'taxi-duration',
    task: 'regression',
    target: 'duration_min',
    features: demoFeatures,
    preprocessing,
    layers,
    backend: 'none (random weights)',
    trainedAt: new Date(0).toISOString(),
    history: [],
  };
  return parseBundle(serializeBundle(bundle));
}
