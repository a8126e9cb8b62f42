/** Small synthetic datasets and specs for the model tests. */
import type { CellValue, DataSplit, TabularData } from '../../../src/data/types.js';
import { mulberry32 } from '../../../src/model/random.js';
import { pipelineSpecSchema, type PipelineSpec, type PipelineSpecInput } from '../../../src/spec/schema.js';

/** A seeded uniform generator in [0, 1), so fixtures are identical on every run. */
export const rng = mulberry32;

export function table(columns: Record<string, CellValue[]>): TabularData {
  const rows = Object.values(columns)[0]?.length ?? 0;
  return { rows, columns };
}

/** y = 3x + 2·[color = red] + small noise, x ∈ [-2, 2]. */
export function regressionData(rows: number, seed = 1): TabularData {
  const r = rng(seed);
  const x: number[] = [];
  const color: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const xi = r() * 4 - 2;
    const c = ['red', 'green', 'blue'][Math.floor(r() * 3)] as string;
    x.push(xi);
    color.push(c);
    y.push(3 * xi + (c === 'red' ? 2 : 0) + (r() - 0.5) * 0.2);
  }
  return table({ x, color, y });
}

/** Three classes separated by x (with a little overlap from noise). */
export function classificationData(rows: number, seed = 2): TabularData {
  const r = rng(seed);
  const x: number[] = [];
  const shade: string[] = [];
  const label: string[] = [];
  for (let i = 0; i < rows; i++) {
    const xi = r() * 3;
    x.push(xi + (r() - 0.5) * 0.2);
    shade.push(r() < 0.5 ? 'light' : 'dark');
    label.push(xi < 1 ? 'low' : xi < 2 ? 'mid' : 'high');
  }
  return table({ x, shade, label });
}

/** The first `train` rows for training, the rest for testing. */
export function splitAt(data: TabularData, train: number): DataSplit {
  const part = (from: number, to: number): TabularData =>
    table(Object.fromEntries(Object.entries(data.columns).map(([k, v]) => [k, v.slice(from, to)])));
  return { train: part(0, train), test: part(train, data.rows) };
}

export function regressionSpec(model: PipelineSpecInput['model'] = {}): PipelineSpec {
  return pipelineSpecSchema.parse({
    name: 'line',
    task: 'regression',
    data: { source: 'unused.csv', target: 'y', features: [{ name: 'x', type: 'numeric' }, { name: 'color', type: 'categorical' }] },
    model: { hiddenUnits: [8], epochs: 10, batchSize: 16, learningRate: 0.02, ...model },
  });
}

export function classificationSpec(model: PipelineSpecInput['model'] = {}): PipelineSpec {
  return pipelineSpecSchema.parse({
    name: 'bands',
    task: 'classification',
    data: { source: 'unused.csv', target: 'label', features: [{ name: 'x', type: 'numeric' }, { name: 'shade', type: 'categorical' }] },
    model: { hiddenUnits: [8], epochs: 15, batchSize: 16, learningRate: 0.03, ...model },
  });
}
