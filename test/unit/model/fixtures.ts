/** Small synthetic datasets and specs for the model tests. */
import type { CellValue, DataSplit, TabularData } from '../../../src/data/types.js';
import { mulberry32 } from '../../../src/model/random.js';
import type { MlpModelSpec, ModelSpec } from '../../../src/model/model-spec.js';
import { pipelineSpecSchema, type PipelineSpec, type PipelineSpecInput, type PipelineSpecOf } from '../../../src/spec/schema.js';

/** A seeded uniform generator in [0, 1), so fixtures are identical on every run. */
export const rng = mulberry32;

export function table(columns: Record<string, CellValue[]>): TabularData {
  const rows = Object.values(columns)[0]?.length ?? 0;
  return { rows, columns };
}

/** A table of `rows` rows, each drawn by `row` from a generator seeded with `seed`. */
export function seededTable(rows: number, seed: number, row: (random: () => number) => Record<string, CellValue>): TabularData {
  const random = rng(seed);
  const columns: Record<string, CellValue[]> = {};
  for (let i = 0; i < rows; i++) {
    for (const [name, value] of Object.entries(row(random))) (columns[name] ??= []).push(value);
  }
  return table(columns);
}

/** y = 3x + 2·[color = red] + small noise, x ∈ [-2, 2]. */
export function regressionData(rows: number, seed = 1): TabularData {
  return seededTable(rows, seed, (r) => {
    const x = r() * 4 - 2;
    const color = ['red', 'green', 'blue'][Math.floor(r() * 3)] as string;
    return { x, color, y: 3 * x + (color === 'red' ? 2 : 0) + (r() - 0.5) * 0.2 };
  });
}

/** Three classes separated by x (with a little overlap from noise). */
export function classificationData(rows: number, seed = 2): TabularData {
  return seededTable(rows, seed, (r) => {
    const x = r() * 3;
    return { x: x + (r() - 0.5) * 0.2, shade: r() < 0.5 ? 'light' : 'dark', label: x < 1 ? 'low' : x < 2 ? 'mid' : 'high' };
  });
}

/** The first `train` rows for training, the rest for testing. */
export function splitAt(data: TabularData, train: number): DataSplit {
  const part = (from: number, to: number): TabularData =>
    table(Object.fromEntries(Object.entries(data.columns).map(([k, v]) => [k, v.slice(from, to)])));
  return { train: part(0, train), test: part(train, data.rows) };
}

/** The spec's model as the built-in MLP's; fails the test when it is another kind. */
export function mlpModel(model: ModelSpec): MlpModelSpec {
  if (model.type !== 'mlp') throw new Error(`expected model.type mlp, got ${model.type}`);
  return model;
}

/** A spec whose model is the built-in MLP (what the trainer takes). */
export function mlpSpec(spec: PipelineSpec): PipelineSpecOf<'mlp'> {
  return { ...spec, model: mlpModel(spec.model) };
}

type MlpInput = Omit<Extract<NonNullable<PipelineSpecInput['model']>, { epochs?: unknown }>, 'type'>;

export function regressionSpec(model: MlpInput = {}): PipelineSpecOf<'mlp'> {
  return mlpSpec(pipelineSpecSchema.parse({
    name: 'line',
    task: 'regression',
    data: { source: 'unused.csv', target: 'y', features: [{ name: 'x', type: 'numeric' }, { name: 'color', type: 'categorical' }] },
    model: { hiddenUnits: [8], epochs: 10, batchSize: 16, learningRate: 0.02, ...model },
  }));
}

export function classificationSpec(model: MlpInput = {}): PipelineSpecOf<'mlp'> {
  return mlpSpec(pipelineSpecSchema.parse({
    name: 'bands',
    task: 'classification',
    data: { source: 'unused.csv', target: 'label', features: [{ name: 'x', type: 'numeric' }, { name: 'shade', type: 'categorical' }] },
    model: { hiddenUnits: [8], epochs: 15, batchSize: 16, learningRate: 0.03, ...model },
  }));
}
