/**
 * A real registry and artifact store in a temp dir, with hand-written predictors whose
 * "bundle" is a small JSON document: enough to test serving without the model code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MlopsError } from '../../../src/errors.js';
import type { Prediction, Predictor } from '../../../src/model/types.js';
import { FileArtifactStore, type ArtifactRef } from '../../../src/registry/artifact-store.js';
import type { ModelRegistry, ModelVersion } from '../../../src/registry/model-registry.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';
import type { FeatureSpec, Task } from '../../../src/spec/schema.js';

export interface FakeBundle {
  readonly task: Task;
  readonly features: FeatureSpec[];
  /** Added to the sum of numeric features, so versions answer differently. */
  readonly bias: number;
  readonly classes?: string[];
}

export const features: FeatureSpec[] = [
  { name: 'trip_distance', type: 'numeric' },
  { name: 'passengers', type: 'numeric' },
  { name: 'PULocationID', type: 'categorical' },
];

/** Regression: sum of numeric features (null counts as 0) + bias. Classification: "long" when that sum > 0. */
export class FakePredictor implements Predictor {
  readonly task: Task;
  readonly features: readonly FeatureSpec[];
  readonly classes?: string[];
  constructor(private readonly bundle: FakeBundle) {
    this.task = bundle.task;
    this.features = bundle.features;
    this.classes = bundle.classes;
  }

  predict(instances: readonly Record<string, unknown>[]): Prediction[] {
    return instances.map((instance, i) => {
      let sum = this.bundle.bias;
      for (const f of this.features) {
        const value = instance[f.name];
        if (value === undefined) throw new MlopsError('BadRequest', `instance ${i}: feature "${f.name}" is missing`);
        if (value === null) continue; // missing: imputed as 0
        if (f.type === 'numeric') {
          if (typeof value !== 'number') throw new MlopsError('BadRequest', `instance ${i}: feature "${f.name}" must be a number, got ${JSON.stringify(value)}`);
          sum += value;
        } else if (typeof value !== 'string' && typeof value !== 'number') {
          throw new MlopsError('BadRequest', `instance ${i}: feature "${f.name}" must be a string`);
        }
      }
      if (this.task === 'regression') return sum;
      const p = 1 / (1 + Math.exp(-sum));
      const [short, long] = this.bundle.classes ?? ['short', 'long'];
      return { label: p > 0.5 ? long! : short!, probabilities: { [short!]: 1 - p, [long!]: p } };
    });
  }
}

export interface Fixture {
  readonly dir: string;
  readonly registry: ModelRegistry;
  readonly store: FileArtifactStore;
  /** How many times each bundle was loaded. */
  readonly loads: Map<string, number>;
  /** Extra delay per load, to simulate a big model. */
  loadDelayMs: number;
  loadPredictor(ref: ArtifactRef): Promise<Predictor>;
  /** Registers a version with a fake bundle; `alias` also points that alias at it. */
  addVersion(name: string, bundle: Partial<FakeBundle>, opts?: { alias?: string }): Promise<ModelVersion>;
  cleanup(): Promise<void>;
}

/** Model files in a temp folder; the registry is a file registry there unless one is given. */
export async function createFixture(options: { registry?: ModelRegistry } = {}): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mlops-serving-'));
  const store = new FileArtifactStore(path.join(dir, 'artifacts'));
  const registry = options.registry ?? new FileModelRegistry(path.join(dir, 'registry'));
  const dataset = await store.putBytes('a,b\n1,2\n', '.csv');
  let counter = 0;
  const fixture: Fixture = {
    dir,
    registry,
    store,
    loads: new Map(),
    loadDelayMs: 0,
    async loadPredictor(ref) {
      fixture.loads.set(ref.sha256, (fixture.loads.get(ref.sha256) ?? 0) + 1);
      if (fixture.loadDelayMs > 0) await new Promise((r) => setTimeout(r, fixture.loadDelayMs));
      return new FakePredictor(JSON.parse((await store.readBytes(ref)).toString('utf8')) as FakeBundle);
    },
    async addVersion(name, bundle, opts = {}) {
      const full: FakeBundle = { task: 'regression', features, bias: 0, ...bundle };
      const ref = await store.putBytes(JSON.stringify({ ...full, nonce: counter++ }), '.json');
      const version = await registry.registerVersion(name, {
        bundle: ref,
        metrics: { rmse: 1.5 },
        lineage: { dataset, specHash: 'spec' },
        idempotencyKey: `key-${counter}`,
      });
      if (opts.alias) await registry.setAlias(name, opts.alias, version.version, 'test');
      return version;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return fixture;
}

/**
 * The models the route tests serve: taxi v1 (production) and v2 (staging, bias 100), a churn
 * classifier (production) and draft, which has no production version.
 */
export async function addServingModels(fx: Fixture): Promise<void> {
  await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
  await fx.addVersion('taxi', { bias: 100 }, { alias: 'staging' });
  await fx.addVersion('churn', { task: 'classification', classes: ['stays', 'churns'] }, { alias: 'production' });
  await fx.addVersion('draft', {});
}

/** The server options every test shares: the fixture's registry and loader, and no process metrics. */
export function serverOptions(fx: Fixture) {
  return { registry: fx.registry, loadPredictor: (ref: ArtifactRef) => fx.loadPredictor(ref), defaultMetrics: false };
}

export const instance = { trip_distance: 2.5, passengers: 1, PULocationID: '132' };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
