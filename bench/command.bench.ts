/**
 * Issue 17's overhead figure for `model.type: command`: the same script run by hand (its
 * environment pointing at files exported once beforehand) against the same script run by the
 * train activity (data export from the snapshot, environment, process group, output and
 * progress reading, checkpoint snapshots, the model.onnx import and lineage), in one run,
 * alternating so machine load hits both alike; medians reported. The activity runs under
 * Temporal's MockActivityEnvironment: a real activity, without a server's scheduling latency
 * (orchestration.bench.ts measures that).
 *
 * The script is test/integration/fixtures/command/linear.py (writes an ONNX model with the
 * `onnx` package; no PyTorch to load, whose start-up varies by seconds and would drown the
 * overhead). Environment: MLOPS_BENCH_COMMAND_ROWS (default 50000), MLOPS_BENCH_COMMAND_REPEATS
 * (default 5).
 */
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainActivity } from '../activities/train.js';
import { loadConfig } from '../src/config.js';
import { ingestDataset } from '../src/data/ingest.js';
import { createLogger } from '../src/logger.js';
import { commandEnvironment } from '../src/model/kinds/command/environment.js';
import { exportTrainingData } from '../src/model/kinds/command/export-data.js';
import { pipelineSpecSchema, type PipelineSpecOf } from '../src/spec/schema.js';
import { activityDepsFor } from '../src/temporal/plugin.js';
import { median, type BenchResult } from './harness.js';

const suite = 'command';
const rows = Number(process.env.MLOPS_BENCH_COMMAND_ROWS || 50_000);
const repeats = Number(process.env.MLOPS_BENCH_COMMAND_REPEATS || 5);
/** Debian's Python, which has the onnx package. */
const python = '/usr/bin/python3';
const fixtures = fileURLToPath(new URL('../test/integration/fixtures/command/', import.meta.url));

export default async function commandBench(): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-command-'));
  try {
    const deps = activityDepsFor({ config: loadConfig({ MLOPS_HOME: home, MLOPS_ALLOW_COMMANDS: '1' }), baseDir: home, logger: createLogger('bench', 'warn') });
    const csv = path.join(home, 'data.csv');
    const lines = ['distance,hour,duration'];
    for (let i = 0; i < rows; i++) lines.push(`${(i * 7919) % 1000 / 100},${i % 24},${((i * 7919) % 1000 / 100) * 3 + (i % 24) / 2}`);
    await writeFile(csv, `${lines.join('\n')}\n`);
    const spec = pipelineSpecSchema.parse({
      name: 'bench-command',
      task: 'regression',
      data: { source: csv, target: 'duration', features: [{ name: 'distance', type: 'numeric' }, { name: 'hour', type: 'numeric' }] },
      model: { type: 'command', command: [python, 'linear.py'], workDir: fixtures, dataFormat: 'csv', hyperparameters: { w: 3 } },
    }) as PipelineSpecOf<'command'>;
    const dataset = await ingestDataset({ spec, baseDir: home, store: deps.store });
    const snapshot = await deps.store.localPath(dataset);

    // By hand: the files exported once, the script run with the contract's environment.
    const byHand = path.join(home, 'by-hand');
    await Promise.all(['data', 'model', 'checkpoint'].map((d) => mkdir(path.join(byHand, d), { recursive: true })));
    const exported = await exportTrainingData({ dataset: snapshot, spec, format: 'csv', dir: path.join(byHand, 'data') });
    await writeFile(path.join(byHand, 'spec.json'), JSON.stringify(spec));
    const env = commandEnvironment(
      process.env,
      { trainData: exported.train.file, validationData: exported.validation?.file, modelDir: path.join(byHand, 'model'), checkpointDir: path.join(byHand, 'checkpoint'), specFile: path.join(byHand, 'spec.json') },
      spec.model.hyperparameters,
      spec.model.seed,
    );
    const direct = () => run(spec.model.command, fixtures, env);
    const train = trainActivity(deps);
    const quiet = new DefaultLogger('WARN');
    const activity = () => new MockActivityEnvironment({ activityId: 'bench' }, { logger: quiet }).run(train, { spec, dataset });
    const exportOnly = async () => {
      const dir = await mkdtemp(path.join(home, 'export-'));
      await exportTrainingData({ dataset: snapshot, spec, format: 'csv', dir });
      await rm(dir, { recursive: true, force: true });
    };

    const times = { direct: [] as number[], activity: [] as number[], export: [] as number[] };
    await direct(); // warm the page cache and Python's bytecode cache for both
    for (let i = 0; i < repeats; i++) {
      times.direct.push(await timed(direct));
      times.activity.push(await timed(activity));
      times.export.push(await timed(exportOnly));
    }
    const [d, a, e] = [median(times.direct), median(times.activity), median(times.export)];
    const overhead = a - d;
    return [
      { suite, name: `script through the train activity (${rows} rows, csv)`, unit: 'ms', value: a, baseline: { name: 'the same script run by hand', value: d }, ratio: a / d },
      { suite, name: 'data export alone (DuckDB → train.csv + validation.csv)', unit: 'ms', value: e },
      {
        suite,
        name: 'time the train activity adds (activity − by hand)',
        unit: 'ms',
        value: overhead,
        target: `< 2000 ms + data export (${Math.round(e)} ms)`,
        pass: overhead < 2000 + e,
        note: `medians of ${repeats}, alternating runs`,
      },
    ];
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function run(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited with ${code}`))));
  });
}
