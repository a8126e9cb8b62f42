/**
 * Issue 4's training figures, in one run, on a reference regression MLP ([64, 64], Adam,
 * batch 256, 10 % validation) over synthetic data (8 numeric features + one categorical
 * with 20 values), our training path — `trainInThread`: preprocessing fitted and applied, a
 * worker thread, seeded per-epoch shuffles, a checkpoint with optimizer state written and
 * reported every epoch — against a bare `model.fit` of the same network on the same encoded
 * data and backend (wasm) in this process:
 * - training throughput, epoch 2 to the last (target ≥ 0.9× bare);
 * - end to end, and the fixed cost of one training in seconds (thread start and TensorFlow.js
 *   load, first-epoch warm-up; preprocessing overlaps the thread's start);
 * - samples/second of the bare fit per backend, so users see what a backend buys;
 * - the tensorflow backend (tfjs-node / tfjs-node-gpu) when it is installed, else "not measured".
 *
 * Runs alternate (ours, bare, ours, …) so load on the machine hits both alike; medians are
 * reported. Environment: MLOPS_BENCH_TRAIN_ROWS (default 100000), MLOPS_BENCH_TRAIN_EPOCHS
 * (default 8), MLOPS_BENCH_TRAIN_REPEATS (default 3).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DataSplit, TabularData } from '../src/data/types.js';
import { selectBackend, type BackendName } from '../src/model/backend.js';
import { headFor } from '../src/model/head.js';
import { holdoutOf, takeRows } from '../src/model/holdout.js';
import { buildMlp } from '../src/model/mlp.js';
import { encodeFeatures, encodeTarget, fitPreprocessing } from '../src/model/preprocess.js';
import { mulberry32 } from '../src/model/random.js';
import { trainInThread } from '../src/model/trainer.js';
import { pipelineSpecSchema, type PipelineSpecOf } from '../src/spec/schema.js';
import { median, type BenchResult } from './harness.js';

const suite = 'training';
const rows = Number(process.env.MLOPS_BENCH_TRAIN_ROWS || 100_000);
const epochs = Number(process.env.MLOPS_BENCH_TRAIN_EPOCHS || 8);
const repeats = Number(process.env.MLOPS_BENCH_TRAIN_REPEATS || 3);
const numeric = Array.from({ length: 8 }, (_, i) => `x${i}`);

export default async function trainingBench(): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-train-'));
  try {
    const results: BenchResult[] = [];
    const spec = referenceSpec('wasm');
    const train = syntheticData(rows, 1);
    const fitRows = rows - holdoutOf(spec, rows).validation.length;
    const samples = fitRows * epochs;

    const ours: Timing[] = [];
    const bare: Timing[] = [];
    for (let i = 0; i < repeats; i++) {
      ours.push(await oursTiming(spec, train, path.join(dir, `run-${i}`)));
      bare.push(await bareFitTiming(spec, train, 'wasm'));
      process.stderr.write(`  run ${i + 1}/${repeats}: ours ${fmt(ours.at(-1))}; bare model.fit ${fmt(bare.at(-1))}\n`);
    }
    const perEpoch = fitRows * (epochs - 1);
    const [oursRate, bareRate] = [perEpoch / median(ours.map((t) => t.steady)), perEpoch / median(bare.map((t) => t.steady))];
    results.push({
      suite,
      name: `training throughput, epochs 2–${epochs}: trainInThread vs bare model.fit (wasm, ${rows} rows)`,
      unit: 'samples/s',
      value: oursRate,
      baseline: { name: 'bare model.fit, same data/model/backend', value: bareRate },
      ratio: oursRate / bareRate,
      target: 'ratio ≥ 0.9',
      pass: oursRate / bareRate >= 0.9,
      note: `median of ${repeats}; ours shuffles (seeded), checkpoints and reports every epoch`,
    });
    const [oursTotal, bareTotal] = [median(ours.map((t) => t.total)), median(bare.map((t) => t.total))];
    results.push({
      suite,
      name: `end to end, ${epochs} epochs: trainInThread vs bare model.fit`,
      unit: 'samples/s',
      value: samples / oursTotal,
      baseline: { name: 'bare model.fit', value: samples / bareTotal },
      ratio: bareTotal / oursTotal,
      note: 'ours includes preprocessing and the thread start; bare starts from encoded tensors',
    });
    results.push({
      suite,
      name: 'fixed cost of one training (ours − bare, same run)',
      unit: 's',
      value: median(ours.map((t, i) => t.total - (bare[i] as Timing).total)),
      note: 'thread start and TensorFlow.js load, first-epoch warm-up; amortised by longer trainings',
    });
    results.push(perBackend('wasm', bareRate));
    // The pure-JS backend is ~2 orders of magnitude slower: a tenth of the data keeps the run short.
    const small = syntheticData(Math.max(2_000, Math.floor(rows / 10)), 2);
    const cpuEpoch = small.rows - holdoutOf(spec, small.rows).validation.length;
    results.push(perBackend('cpu', cpuEpoch / (await bareFitTiming(referenceSpec('cpu', 2), small, 'cpu')).steady));
    results.push(await tensorflowBackend(train, samples));
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function perBackend(backend: BackendName, rate: number): BenchResult {
  return { suite, name: `bare model.fit on ${backend}`, unit: 'samples/s', value: rate, note: 'reference MLP [64, 64], batch 256; epochs after the first' };
}

async function tensorflowBackend(train: TabularData, samples: number): Promise<BenchResult> {
  const name = 'bare model.fit on tensorflow (tfjs-node / tfjs-node-gpu)';
  if ((await selectBackend('tensorflow')) !== 'tensorflow') {
    return { suite, name, unit: 'samples/s', value: Number.NaN, note: 'not measured: no GPU and no @tensorflow/tfjs-node(-gpu) on this machine' };
  }
  const rate = (samples * (epochs - 1)) / epochs / (await bareFitTiming(referenceSpec('tensorflow'), train, 'tensorflow')).steady;
  return { suite, name, unit: 'samples/s', value: rate, note: 'reference MLP [64, 64], batch 256; epochs after the first' };
}

/** Seconds of a whole run, and of epochs 2 to the last (steady state). */
interface Timing {
  readonly total: number;
  readonly steady: number;
}

const fmt = (t: Timing | undefined) => (t ? `${t.total.toFixed(1)} s (epochs 2+ ${t.steady.toFixed(1)} s)` : '');

async function oursTiming(spec: PipelineSpecOf<'mlp'>, train: TabularData, checkpointDir: string): Promise<Timing> {
  const start = performance.now();
  const ends: number[] = [];
  await trainInThread({ spec, split: { train, test: train } as DataSplit, checkpointDir }, { onEpoch: () => void ends.push(performance.now()) });
  return timing(start, ends);
}

/**
 * The same network, data layout (validation rows last) and backend, fitted by tfjs alone,
 * timed from `model.fit` (preparing the data is not counted).
 */
async function bareFitTiming(spec: PipelineSpecOf<'mlp'>, train: TabularData, backend: BackendName): Promise<Timing> {
  await selectBackend(backend);
  const preprocessing = fitPreprocessing(spec, train);
  const { fit, validation } = holdoutOf(spec, train.rows);
  const ordered = takeRows(train, [...fit, ...validation]);
  const x = encodeFeatures(preprocessing, ordered);
  const y = encodeTarget(preprocessing, ordered);
  const width = preprocessing.width;
  const model = buildMlp(spec.model, width, headFor(preprocessing));
  const tensors = [
    tf.tensor2d(x.subarray(0, fit.length * width), [fit.length, width]),
    tf.tensor2d(y.subarray(0, fit.length), [fit.length, 1]),
    tf.tensor2d(x.subarray(fit.length * width), [validation.length, width]),
    tf.tensor2d(y.subarray(fit.length), [validation.length, 1]),
  ] as const;
  const ends: number[] = [];
  const start = performance.now();
  await model.fit(tensors[0], tensors[1], {
    epochs: spec.model.epochs,
    batchSize: spec.model.batchSize,
    shuffle: true,
    verbose: 0,
    validationData: [tensors[2], tensors[3]],
    callbacks: { onEpochEnd: () => void ends.push(performance.now()) },
  });
  tf.dispose([...tensors]);
  model.dispose();
  return timing(start, ends);
}

function timing(start: number, epochEnds: readonly number[]): Timing {
  const last = epochEnds.at(-1) ?? performance.now();
  return { total: (last - start) / 1000, steady: (last - (epochEnds[0] ?? start)) / 1000 };
}

function referenceSpec(backend: BackendName, epochCount = epochs): PipelineSpecOf<'mlp'> {
  return pipelineSpecSchema.parse({
    name: 'bench',
    task: 'regression',
    data: { source: 'unused.parquet', target: 'y', features: [...numeric.map((name) => ({ name, type: 'numeric' })), { name: 'zone', type: 'categorical' }] },
    model: { hiddenUnits: [64, 64], epochs: epochCount, batchSize: 256, learningRate: 0.001, backend },
  }) as PipelineSpecOf<'mlp'>;
}

/** y = a linear mix of the numbers + a per-zone offset + noise. */
function syntheticData(n: number, seed: number): TabularData {
  const r = mulberry32(seed);
  const columns: Record<string, (number | string)[]> = Object.fromEntries([...numeric, 'zone', 'y'].map((k) => [k, []]));
  for (let i = 0; i < n; i++) {
    let y = 0;
    numeric.forEach((k, j) => {
      const v = r() * 10;
      columns[k]?.push(v);
      y += (j + 1) * v * 0.1;
    });
    const zone = Math.floor(r() * 20);
    columns.zone?.push(`z${zone}`);
    columns.y?.push(y + zone * 0.5 + r());
  }
  return { rows: n, columns };
}
