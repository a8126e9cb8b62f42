/**
 * Issue 17's quality figures, in one run: the built-in trainer with its defaults (a minimal
 * spec, no `model` section) against scikit-learn on the real datasets scikit-learn ships —
 * iris, wine, breast_cancer (classification, accuracy) and diabetes (regression, rmse; r2 in
 * the note) — on the same train and test rows.
 *
 * Ours goes the way a pipeline run goes: ingest the CSV to a Parquet snapshot, the seeded
 * train/test split (`loadSplit`, default `split`), `trainInThread`, then `evaluateModel`
 * through the serving predictor. The exact rows of that split are written to CSV and
 * bench/quality/sklearn_reference.py fits LogisticRegression / Ridge (standardized features,
 * as ours) and HistGradientBoosting{Classifier,Regressor} on them with default settings.
 * Each row compares ours with the better reference: accuracy ratio ours/best ≥ 0.98, rmse
 * ratio ours/best ≤ 1.02.
 *
 * With MLOPS_BENCH_QUALITY_TIME_ROWS=N (e.g. 3000000), one more row: the defaults' training
 * time on N rows of the training bench's synthetic data against the old defaults spelled out
 * (batch 256, 20 epochs, no early stopping, no weight decay) in the same run; target: no slower.
 *
 * Environment: MLOPS_BENCH_PYTHON (default /usr/bin/python3, needs scikit-learn and pandas; run
 * with OMP_NUM_THREADS=1 unless set, so HistGradientBoosting does not fight the trainer for
 * cores), MLOPS_BENCH_QUALITY_MODEL (a JSON `model` section to measure instead of the defaults,
 * e.g. '{"batchSize":32}'), MLOPS_BENCH_QUALITY_DATASETS (comma-separated subset).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ingestDataset } from '../src/data/ingest.js';
import { loadSplit } from '../src/data/split.js';
import type { TabularData } from '../src/data/types.js';
import { evaluateModel } from '../src/evaluation/evaluate-model.js';
import { createPredictor } from '../src/model/predictor.js';
import { trainInThread, type TrainResult } from '../src/model/trainer.js';
import { FileArtifactStore } from '../src/registry/artifact-store.js';
import { pipelineSpecSchema, type PipelineSpecOf, type Task } from '../src/spec/schema.js';
import type { BenchResult } from './harness.js';
import { numeric, syntheticData } from './training.bench.js';

const suite = 'quality';
const python = process.env.MLOPS_BENCH_PYTHON || '/usr/bin/python3';
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'quality', 'sklearn_reference.py');
const modelOverride: unknown = process.env.MLOPS_BENCH_QUALITY_MODEL ? JSON.parse(process.env.MLOPS_BENCH_QUALITY_MODEL) : undefined;
const only = process.env.MLOPS_BENCH_QUALITY_DATASETS?.split(',').filter(Boolean);
const timeRows = Number(process.env.MLOPS_BENCH_QUALITY_TIME_ROWS || 0);
const pythonEnv = { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' };
/** "Within 2 % of the better reference." */
const TOLERANCE = 0.02;

/** A dataset as sklearn_reference.py exports it. */
interface ExportedDataset {
  readonly name: string;
  readonly task: Task;
  readonly rows: number;
  readonly features: readonly string[];
  readonly file: string;
}

/** Ours on one dataset. */
interface OursOutcome {
  readonly metrics: Readonly<Record<string, number>>;
  readonly training: TrainResult;
  readonly seconds: number;
  readonly trainRows: number;
  readonly testRows: number;
}

/** Reference name → test metrics and fit seconds. */
type ReferenceScores = Record<string, Record<string, number>>;

const execFileAsync = promisify(execFile);
const run = (args: string[]) => execFileAsync(python, args, { env: pythonEnv, maxBuffer: 1 << 20 });

export default async function qualityBench(): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-quality-'));
  try {
    await run([script, 'export', dir]);
    const exported = JSON.parse(await readFile(path.join(dir, 'datasets.json'), 'utf8')) as ExportedDataset[];
    const chosen = exported.filter((d) => !only || only.includes(d.name));
    const store = new FileArtifactStore(path.join(dir, 'store'));
    const ours = new Map<string, OursOutcome>();
    const manifest = [];
    for (const dataset of chosen) {
      const spec = minimalSpec(dataset);
      const snapshot = await ingestDataset({ spec, baseDir: dir, store });
      const split = await loadSplit({ dataset: await store.localPath(snapshot), spec });
      const files = { train: path.join(dir, `${dataset.name}.train.csv`), test: path.join(dir, `${dataset.name}.test.csv`) };
      await writeFile(files.train, toCsv(split.train, dataset));
      await writeFile(files.test, toCsv(split.test, dataset));
      manifest.push({ name: dataset.name, task: dataset.task, target: 'target', ...files });
      const start = performance.now();
      const training = await trainInThread({ spec, split, checkpointDir: path.join(dir, 'checkpoints', dataset.name) });
      const seconds = (performance.now() - start) / 1000;
      const { metrics } = await evaluateModel(createPredictor(training.bundle), split.test, spec);
      ours.set(dataset.name, { metrics, training, seconds, trainRows: split.train.rows, testRows: split.test.rows });
      process.stderr.write(`  ${dataset.name}: ${JSON.stringify(pick(metrics, dataset.task))} in ${seconds.toFixed(1)} s (${training.epochsRun} epochs, batch ${training.model.batchSize})\n`);
    }
    const manifestFile = path.join(dir, 'manifest.json');
    await writeFile(manifestFile, JSON.stringify(manifest));
    const { stdout } = await run([script, 'fit', manifestFile]);
    const references = JSON.parse(stdout) as Record<string, ReferenceScores>;
    const results = chosen.map((d) => compare(d, ours.get(d.name) as OursOutcome, references[d.name] ?? {}));
    if (timeRows > 0) results.push(await defaultsTime(timeRows, path.join(dir, 'checkpoints', 'time')));
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Training time of the defaults on large data against the old defaults (batch 256, 20 epochs,
 * no early stopping, no weight decay) spelled out, alternating so load on the machine hits both alike.
 */
async function defaultsTime(rows: number, checkpointDir: string): Promise<BenchResult> {
  const data = syntheticData(rows, 1);
  const spec = (model: object) =>
    mlpSpec({
      name: 'time',
      task: 'regression',
      data: { source: 'unused.parquet', target: 'y', features: [...numeric.map((name) => ({ name, type: 'numeric' })), { name: 'zone', type: 'categorical' }] },
      model: { backend: 'wasm', ...model },
    });
  const timed = async (s: PipelineSpecOf<'mlp'>): Promise<{ seconds: number; result: TrainResult }> => {
    const start = performance.now();
    const result = await trainInThread({ spec: s, split: { train: data, test: data }, checkpointDir });
    return { seconds: (performance.now() - start) / 1000, result };
  };
  const old = await timed(spec({ batchSize: 256, epochs: 20, weightDecay: 0 }));
  const now = await timed(spec({}));
  process.stderr.write(`  ${rows} rows: defaults ${now.seconds.toFixed(1)} s, old defaults ${old.seconds.toFixed(1)} s\n`);
  const m = now.result.model;
  return {
    suite,
    name: `training time on ${rows} synthetic rows (the training bench's data): defaults vs the old defaults (batch 256, 20 epochs)`,
    unit: 's',
    value: now.seconds,
    baseline: { name: 'batchSize 256, epochs 20, no early stopping, weightDecay 0', value: old.seconds },
    ratio: now.seconds / old.seconds,
    target: 'ratio ≤ 1',
    pass: now.seconds <= old.seconds,
    note: `defaults: batch ${m.batchSize}, budget ${m.epochs} epochs, weightDecay ${m.weightDecay.toPrecision(2)}, ran ${now.result.epochsRun}${now.result.stoppedEarly ? ' (stopped early)' : ''}; wasm; one run each`,
  };
}

/** What a new user writes: name, task, source, target, features; everything else defaulted. */
function minimalSpec(dataset: ExportedDataset): PipelineSpecOf<'mlp'> {
  return mlpSpec({
    name: dataset.name.replace(/_/g, '-'),
    task: dataset.task,
    data: { source: dataset.file, target: 'target', features: dataset.features.map((name) => ({ name, type: 'numeric' })) },
    ...(modelOverride === undefined ? {} : { model: modelOverride }),
  });
}

function compare(dataset: ExportedDataset, ours: OursOutcome, references: ReferenceScores): BenchResult {
  const regression = dataset.task === 'regression';
  const metric = regression ? 'rmse' : 'accuracy';
  const value = ours.metrics[metric] ?? Number.NaN;
  const [bestName, best] = Object.entries(references).reduce<[string, number]>(
    (acc, [name, scores]) => {
      const v = scores[metric] ?? Number.NaN;
      return (regression ? v < acc[1] : v > acc[1]) ? [name, v] : acc;
    },
    ['none', regression ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY],
  );
  const ratio = value / best;
  const refs = Object.entries(references).map(([name, s]) => `${name} ${describe(s, dataset.task)} (${(s.seconds ?? 0).toFixed(2)} s)`);
  const t = ours.training;
  return {
    suite,
    name: `${dataset.name} (${dataset.rows} rows: ${ours.trainRows} train, ${ours.testRows} test): ${metric}, ours with ${modelOverride === undefined ? 'defaults' : `model ${JSON.stringify(modelOverride)}`} vs the better scikit-learn reference`,
    unit: metric,
    value,
    baseline: { name: bestName, value: best },
    ratio,
    target: regression ? `ratio ≤ ${1 + TOLERANCE}` : `ratio ≥ ${1 - TOLERANCE}`,
    pass: regression ? ratio <= 1 + TOLERANCE : ratio >= 1 - TOLERANCE,
    note: [
      `ours ${describe(ours.metrics, dataset.task)}, ${ours.seconds.toFixed(1)} s, ${t.epochsRun} epochs${t.stoppedEarly ? ' (stopped early)' : ''}, weights of epoch ${t.weightsEpoch}, batch ${t.model.batchSize}, backend ${t.backend}`,
      ...refs,
    ].join('; '),
  };
}

function pick(metrics: Readonly<Record<string, number>>, task: Task): Record<string, number> {
  return task === 'regression' ? { rmse: metrics.rmse ?? Number.NaN, r2: metrics.r2 ?? Number.NaN } : { accuracy: metrics.accuracy ?? Number.NaN };
}

function describe(metrics: Readonly<Record<string, number>>, task: Task): string {
  return Object.entries(pick(metrics, task))
    .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
    .join(', ');
}

/** The split's rows as CSV with the exported column names (numbers and class names only). */
function toCsv(table: TabularData, dataset: ExportedDataset): string {
  const columns = [...dataset.features, 'target'];
  const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : JSON.stringify(String(v)));
  const lines = [columns.join(',')];
  for (let i = 0; i < table.rows; i++) lines.push(columns.map((c) => cell(table.columns[c]?.[i])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Parses a spec whose model is the built-in MLP (the default `model.type`), the trainer's input. */
function mlpSpec(input: object): PipelineSpecOf<'mlp'> {
  const spec = pipelineSpecSchema.parse(input);
  if (spec.model.type !== 'mlp') throw new Error(`the quality bench trains the built-in MLP, not model.type ${spec.model.type}`);
  return { ...spec, model: spec.model };
}
