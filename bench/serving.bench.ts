/**
 * Issue 13's serving figures, with autocannon against 127.0.0.1, in one run:
 * - batch-1 predict throughput of the model server (as `mlops serve` runs it: batching and the
 *   inference log on, shipping a segment to the artifact store every 10 s) over a demo-shaped model, against a plain
 *   fastify server answering a constant JSON body: same connections, same duration, same
 *   request, same load generator; and the server CPU time per request of both;
 * - p99 latency at half the measured throughput, offered evenly over each second;
 * - latency of a 1,000-instance request;
 * - non-2xx responses while the production alias moves under load;
 * - in process, the forward pass of one instance: our predictor against tfjs `model.predict`
 *   on the same weights (the per-call cost that a naive server pays).
 *
 * The servers and the load generator each run in a child process (this file, re-entered with
 * MLOPS_BENCH_ROLE), so the generator never shares an event loop with a server, and where
 * taskset exists they are pinned: servers to core 0, the generator to core 1. Latencies are
 * recorded per response with microsecond resolution (autocannon's own histogram counts whole ms).
 *
 * Shared machines are noisy, so throughput is measured in short alternating runs (fastify,
 * ours, fastify, ours, …) and the ratio is the median of the ratios of each pair, which a slow
 * phase of the machine moves little. Only pairs where the fastify server kept its core at
 * least 90 % busy count (when three or more do): in the others the generator was the limit.
 *
 * Environment: MLOPS_BENCH_ROUNDS (pairs of throughput runs, default 8), MLOPS_BENCH_DURATION
 * (seconds per throughput run, default 3), MLOPS_BENCH_CONNECTIONS (default 32),
 * MLOPS_BENCH_LATENCY_SECONDS (per half-load run, 3 runs each side, default 5). About two
 * minutes with the defaults.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Tfjs from '@tensorflow/tfjs';
import type { ModelBundle } from '../src/model/bundle.js';
import { serializeBundle } from '../src/model/bundle.js';
import { exportMlpToOnnx } from '../src/model/kinds/mlp/onnx-export.js';
import { MANIFEST_FORMAT, serializeManifest, type ModelManifest } from '../src/model/manifest.js';
import { onnxMetadata } from '../src/model/onnx-metadata.js';
import { createOnnxPredictor } from '../src/model/onnx-predictor.js';
import { createPredictor } from '../src/model/predictor.js';
import { encodeFeatures } from '../src/model/preprocess.js';
import { FileArtifactStore } from '../src/registry/artifact-store.js';
import type { ModelRegistry } from '../src/registry/model-registry.js';
import { FileModelRegistry } from '../src/registry/file-registry.js';
import { demoBundle, demoInstances } from '../test/unit/serving/demo-bundle.js';
import { median, type BenchResult } from './harness.js';

const suite = 'serving';
const model = 'taxi-duration';
/** The same network as `model`, stored as a manifest + model.onnx and served by onnxruntime. */
const onnxModel = 'taxi-duration-onnx';
const self = fileURLToPath(import.meta.url);
const duration = Number(process.env.MLOPS_BENCH_DURATION || 3);
const connections = Number(process.env.MLOPS_BENCH_CONNECTIONS || 32);
const rounds = Number(process.env.MLOPS_BENCH_ROUNDS || 8);
const latencyRuns = 3;
const latencySeconds = Number(process.env.MLOPS_BENCH_LATENCY_SECONDS || 5);

/** What the load child is asked to do. */
interface LoadSpec {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  readonly duration?: number;
  readonly amount?: number;
  readonly overallRate?: number;
  /** Spread `overallRate` evenly over each second (see runLoad), instead of autocannon's bursts. */
  readonly paced?: boolean;
}

/** What it reports. */
interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
}

// ---------------------------------------------------------------------------------------
// Child roles

type Autocannon = (opts: Record<string, unknown>) => PromiseLike<AutocannonResult> & {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};
interface AutocannonResult {
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly requests: { readonly total: number };
}

/** One autocannon run; each 2xx response's latency (ms) is pushed to `latencies`. */
function cannon(opts: Record<string, unknown>, latencies: number[]): PromiseLike<AutocannonResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const run = autocannon({ method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 10, ...opts });
  run.on('response', (_client, status, _bytes, ms) => {
    if (status < 300) latencies.push(ms);
  });
  return run;
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const base = { url: spec.url, body: spec.body };
  let results: AutocannonResult[];
  if (spec.paced) {
    // autocannon's rate limit lets each connection send its quota for the second as fast as
    // it can, then wait for the next second: "half load" would be full load half of the time.
    // One single-connection run per connection, their seconds staggered evenly, spreads the
    // requests over each second instead.
    const runs: PromiseLike<AutocannonResult>[] = [];
    for (let k = 0; k < spec.connections; k++) {
      const rate = Math.floor(spec.overallRate! / spec.connections) + (k < spec.overallRate! % spec.connections ? 1 : 0);
      runs.push(cannon({ ...base, connections: 1, connectionRate: rate, duration: spec.duration }, latencies));
      await new Promise((resolve) => setTimeout(resolve, 1000 / spec.connections));
    }
    results = await Promise.all(runs);
  } else {
    // autocannon rejects keys that are present but undefined.
    const limits = { ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.duration }), ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}) };
    results = [await cannon({ ...base, connections: spec.connections, ...limits }, latencies)];
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  const requests = results.reduce((n, r) => n + r.requests.total, 0);
  const seconds = Math.max(...results.map((r) => r.duration));
  return {
    requests,
    seconds,
    rps: requests / seconds,
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

async function runRole(role: string): Promise<void> {
  const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  if (role === 'load') {
    say(await runLoad(JSON.parse(process.env.MLOPS_BENCH_LOAD!) as LoadSpec));
    process.exit(0);
  }
  if (role === 'fastify') {
    // The baseline: fastify as it comes (its JSON body parser, its reply path), one route
    // answering a constant body.
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    const body = { predictions: [17.3] };
    app.post('/*', async () => body);
    say({ url: await app.listen({ port: 0, host: '127.0.0.1' }) });
    return;
  }
  // The model server exactly as `mlops serve` starts it, polling the registry every 100 ms.
  const { startModelServer } = await import('../src/cli/commands/serve.js');
  const server = await startModelServer(0, '127.0.0.1', { pollMs: 100 });
  say({ url: server.url });
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------
// The parent

/**
 * Where taskset exists and there are two cores or more, servers run on core 0 and the load
 * generator on core 1: left to the scheduler, the two sometimes share a core, which moved
 * single runs by ±15 %.
 */
const pinned = os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function child(role: string, env: Record<string, string> = {}): { proc: ChildProcess; line: Promise<string> } {
  const node = [process.execPath, '--import', 'tsx', self];
  const [command, ...args] = pinned ? ['taskset', '-c', role === 'load' ? '1' : '0', ...node] : node;
  const proc = spawn(command!, args, { env: { ...process.env, MLOPS_LOG_LEVEL: 'warn', ...env, MLOPS_BENCH_ROLE: role }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const line = new Promise<string>((resolve, reject) => {
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    proc.on('exit', (code) => reject(new Error(`bench child "${role}" exited with ${code} before answering`)));
  });
  return { proc, line };
}

interface Target {
  readonly url: string;
  /** CPU seconds the server process has used so far (user + system, all threads); NaN off Linux. */
  cpuSeconds(): number;
  /** The same for its main thread alone, the one that answers requests. */
  mainThreadSeconds(): number;
  stop(): Promise<void>;
}

async function startTarget(role: 'fastify' | 'mlops', env?: Record<string, string>): Promise<Target> {
  const { proc, line } = child(role, env);
  const { url } = JSON.parse(await line) as { url: string };
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url,
    cpuSeconds: () => cpuSecondsOf(`/proc/${proc.pid}/stat`),
    mainThreadSeconds: () => cpuSecondsOf(`/proc/${proc.pid}/task/${proc.pid}/stat`),
    stop: () => (proc.kill('SIGTERM'), exited),
  };
}

/** utime + stime from a /proc stat file of a process or thread (clock ticks of 1/100 s). */
function cpuSecondsOf(statFile: string): number {
  try {
    const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** A load run, the server's CPU time per answered request in µs (all threads, and the main thread), and how busy its main thread was (0–1). */
async function measured(target: Target, spec: LoadSpec): Promise<LoadResult & { cpuMicros: number; mainMicros: number; mainBusy: number }> {
  const before = target.cpuSeconds();
  const mainBefore = target.mainThreadSeconds();
  const result = await load(spec);
  const main = target.mainThreadSeconds() - mainBefore;
  const perRequest = (seconds: number) => (seconds * 1e6) / result.requests;
  return { ...result, cpuMicros: perRequest(target.cpuSeconds() - before), mainMicros: perRequest(main), mainBusy: main / result.seconds };
}

async function load(spec: LoadSpec): Promise<LoadResult> {
  return JSON.parse(await child('load', { MLOPS_BENCH_LOAD: JSON.stringify(spec) }).line) as LoadResult;
}

async function registerDemoVersions(home: string): Promise<ModelRegistry> {
  const store = new FileArtifactStore(path.join(home, 'artifacts'));
  const registry = new FileModelRegistry(path.join(home, 'registry'));
  const dataset = await store.putBytes('bench', '.csv');
  for (const seed of [1, 2]) {
    const bundle = await store.putBytes(serializeBundle(demoBundle(seed)), '.model.json');
    await registry.registerVersion(model, { bundle, metrics: { rmse: seed }, lineage: { dataset, specHash: 'bench' }, idempotencyKey: `bench-${seed}` });
  }
  await registry.setAlias(model, 'production', 1, 'bench');
  const mlp = demoBundle(1);
  const onnx = await store.putBytes(exportMlpToOnnx(mlp), '.onnx');
  const manifest: ModelManifest = { format: MANIFEST_FORMAT, name: onnxModel, task: mlp.task, target: mlp.target, features: mlp.features, kind: 'mlp' as const, onnx, trainedAt: mlp.trainedAt };
  const bundle = await store.putBytes(serializeManifest(manifest), '.model.json');
  await registry.registerVersion(onnxModel, { bundle, metrics: { rmse: 1 }, lineage: { dataset, specHash: 'bench' }, idempotencyKey: 'bench-onnx' });
  await registry.setAlias(onnxModel, 'production', 1, 'bench');
  return registry;
}

const round = (x: number, digits = 3) => Number(x.toPrecision(digits));

/** The bundle's network as a tfjs model with the same weights. */
function tfjsModel(tf: typeof Tfjs, bundle: ModelBundle): Tfjs.Sequential {
  const net = tf.sequential();
  const weights: Tfjs.Tensor[] = [];
  let inputs = bundle.preprocessing.width;
  for (const layer of bundle.layers) {
    net.add(tf.layers.dense({ units: layer.units, activation: layer.activation, inputShape: [inputs] }));
    weights.push(tf.tensor2d(layer.kernel, [inputs, layer.units]), tf.tensor1d(layer.bias));
    inputs = layer.units;
  }
  net.setWeights(weights);
  return net;
}

/** Median µs per call of `fn` over `rounds` timed blocks of `calls` calls. */
function microsPerCall(calls: number, rounds: number, fn: (i: number) => unknown): number {
  const blocks: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn(i);
    blocks.push(((performance.now() - t0) * 1000) / calls);
  }
  return median(blocks);
}

async function forwardPass(): Promise<BenchResult[]> {
  // Loaded here, not at the top: this file also runs as the load and server children.
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../src/model/backend.js');
  const backend = await selectBackend();
  const bundle = demoBundle(1);
  const instances = demoInstances(256);
  const predictor = createPredictor(bundle);
  const model = tfjsModel(tf, bundle);
  const width = bundle.preprocessing.width;
  const viaTfjs = (i: number) => tf.tidy(() => (model.predict(tf.tensor2d(encodeFeatures(bundle.preprocessing, [instances[i % 256]!]), [1, width])) as Tfjs.Tensor).dataSync()[0]);
  const ours = (i: number) => predictor.predict([instances[i % 256]!])[0];
  // Same answers first: a fast wrong forward pass is worth nothing.
  for (let i = 0; i < 256; i++) {
    const expected = bundle.preprocessing.target.task === 'regression' ? (viaTfjs(i) as number) * bundle.preprocessing.target.std + bundle.preprocessing.target.mean : Number.NaN;
    if (!(Math.abs((ours(i) as number) - expected) <= 1e-4 * Math.max(1, Math.abs(expected)))) throw new Error(`forward pass differs from tfjs on instance ${i}`);
  }
  microsPerCall(2000, 1, viaTfjs);
  microsPerCall(20000, 1, ours);
  const tfjsMicros = microsPerCall(2000, 5, viaTfjs);
  const ourMicros = microsPerCall(20000, 5, ours);
  model.dispose();
  const bytes = exportMlpToOnnx(bundle);
  const onnx = await createOnnxPredictor(bytes, { task: bundle.task, features: bundle.features, metadata: onnxMetadata(bytes) });
  for (let i = 0; i < 256; i++) {
    const [a] = await onnx.predict([instances[i]!]);
    if (!(Math.abs((a as number) - (ours(i) as number)) <= 1e-5 * Math.max(1, Math.abs(a as number)))) throw new Error(`the ONNX graph differs from the JS forward pass on instance ${i}`);
  }
  const onnxBlocks: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) await onnx.predict([instances[i % 256]!]);
    if (r > 0) onnxBlocks.push(((performance.now() - t0) * 1000) / 5000);
  }
  await onnx.dispose();
  const onnxMicros = median(onnxBlocks);
  return [{
    suite,
    name: 'forward pass of one instance (in process)',
    unit: 'µs',
    value: round(ourMicros),
    baseline: { name: `tfjs model.predict on the same weights (${backend} backend)`, value: round(tfjsMicros) },
    ratio: round(tfjsMicros / ourMicros),
    note: 'median of 5 timed blocks; ratio = how many times faster than tfjs; answers checked equal first',
  }, {
    suite,
    name: 'forward pass of one instance, ONNX (in process)',
    unit: 'µs',
    value: round(onnxMicros),
    baseline: { name: 'the plain-JS forward pass on the same weights', value: round(ourMicros) },
    ratio: round(ourMicros / onnxMicros),
    note: 'onnxruntime-node session.run (CPU provider), preprocessing inside the graph; median of 5 timed blocks of 5,000 awaited calls; ratio < 1: the JS pass is faster; answers checked equal (1e-5) first',
  }];
}

export default async function serving(): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-serving-'));
  const registry = await registerDemoVersions(home);
  const plain = await startTarget('fastify');
  // Rotating every 10 s, so the log ships segments during the runs.
  const ours = await startTarget('mlops', { MLOPS_HOME: home, MLOPS_INFERENCE_LOG_ROTATE: '10s' });
  const plainUrl = `${plain.url}/v1/models/${model}:predict`;
  const predictUrl = `${ours.url}/v1/models/${model}:predict`;
  const onnxUrl = `${ours.url}/v1/models/${onnxModel}:predict`;
  const instances = demoInstances(1000);
  const single = JSON.stringify({ instances: [instances[0]] });
  try {
    type Run = Awaited<ReturnType<typeof measured>>;
    const plainRuns: Run[] = [];
    const ourRuns: Run[] = [];
    const onnxRuns: Run[] = [];
    // Warm all up (JIT, model load), then alternate runs so all see the same machine.
    for (const url of [plainUrl, predictUrl, onnxUrl]) await load({ url, body: single, connections, duration: 2 });
    for (let round = 0; round < rounds; round++) {
      plainRuns.push(await measured(plain, { url: plainUrl, body: single, connections, duration }));
      ourRuns.push(await measured(ours, { url: predictUrl, body: single, connections, duration }));
      onnxRuns.push(await measured(ours, { url: onnxUrl, body: single, connections, duration }));
    }
    // A pair measures the servers only if the fastify one kept its core busy: otherwise the
    // load generator was the limit, which lifts the ratio towards 1.
    const serverBound = plainRuns.map((run) => run.mainBusy >= 0.9);
    const pairRatios = ourRuns.map((run, i) => run.rps / plainRuns[i]!.rps);
    const boundRatios = pairRatios.filter((_, i) => serverBound[i]);
    const decided = boundRatios.length >= 3;
    const ratio = median(decided ? boundRatios : pairRatios);
    const cpuRatio = median(ourRuns.map((run, i) => plainRuns[i]!.cpuMicros / run.cpuMicros));
    const ourRps = median(ourRuns.map((r) => r.rps));
    const non2xx = ourRuns.reduce((n, r) => n + r.non2xx + r.errors, 0);

    // Half load, paced evenly over each second; the fastify server at the same rate shows how
    // much of a tail is the generator's and the machine's.
    const half = { body: single, connections, duration: latencySeconds, overallRate: Math.round(ourRps / 2), paced: true };
    const halves: LoadResult[] = [];
    const plainHalves: LoadResult[] = [];
    const onnxHalves: LoadResult[] = [];
    // The ONNX server's own half load (half its measured throughput), and the JS server's rate.
    const onnxRps = median(onnxRuns.map((r) => r.rps));
    const onnxHalf = { ...half, overallRate: Math.round(onnxRps / 2) };
    const onnxAtJsRate: LoadResult[] = [];
    for (let run = 0; run < latencyRuns; run++) {
      plainHalves.push(await load({ ...half, url: plainUrl }));
      halves.push(await load({ ...half, url: predictUrl }));
      onnxHalves.push(await load({ ...onnxHalf, url: onnxUrl }));
      onnxAtJsRate.push(await load({ ...half, url: onnxUrl }));
    }
    const halfP99 = median(halves.map((h) => h.p99));
    const onnxHalfP99 = median(onnxHalves.map((h) => h.p99));
    const big = await load({ url: predictUrl, body: JSON.stringify({ instances }), connections: 1, amount: 100 });

    // Move production back and forth every 100 ms under full load.
    const swapping = load({ url: predictUrl, body: single, connections, duration: 5 });
    let swaps = 0;
    let done = false;
    void swapping.finally(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    while (!done) {
      await registry.setAlias(model, 'production', swaps % 2 === 0 ? 2 : 1, 'bench');
      swaps++;
      await new Promise((r) => setTimeout(r, 100));
    }
    const swapped = await swapping;
    const forward = await forwardPass();

    const baseline = 'plain fastify, constant JSON body';
    const pairs = pairRatios.map((r, i) => `${round(r, 2)}${serverBound[i] ? '' : '*'}`).join('/');
    const over = decided
      ? `the ${boundRatios.length} pairs where the fastify server kept its core at least 90 % busy (*: it did not, the load generator was the limit; median of all pairs ${round(median(pairRatios))})`
      : "all pairs (fewer than 3 kept the fastify server's core 90 % busy: the load generator was the limit, so the ratio reads high)";
    const setup = `${connections} connections${pinned ? ' (servers on core 0, load generator on core 1)' : ''}, ${rounds} pairs of alternating ${duration}-s runs, demo model (6 features, hidden [32, 16]), batching + inference log on (as mlops serve runs it)`;
    return [
      {
        suite,
        name: 'batch-1 predict throughput',
        unit: 'req/s',
        value: round(ourRps),
        baseline: { name: baseline, value: round(median(plainRuns.map((r) => r.rps))) },
        ratio: round(ratio),
        note: `${setup}; value and baseline are medians; ratio the median of each pair's ratio (pairs: ${pairs}) over ${over}; fastify's core busy ${plainRuns.map((r) => Math.round(r.mainBusy * 100)).join('/')} %; ${non2xx} non-2xx or errors; p99 ${round(median(ourRuns.map((r) => r.p99)))} ms at full load (fastify: ${round(median(plainRuns.map((r) => r.p99)))} ms)`,
      },
      {
        suite,
        name: 'server CPU per batch-1 request',
        unit: 'µs',
        value: round(median(ourRuns.map((r) => r.cpuMicros))),
        baseline: { name: baseline, value: round(median(plainRuns.map((r) => r.cpuMicros))) },
        ratio: round(cpuRatio),
        note: 'medians over the same runs, all threads of the process; ratio = fastify / ours, median of the pairs: what validation, batching, the forward pass, metrics and the inference log cost on top of fastify itself',
      },
      {
        suite,
        name: 'p99 latency at half load',
        unit: 'ms',
        value: round(halfP99),
        baseline: { name: 'plain fastify at the same rate', value: round(median(plainHalves.map((h) => h.p99))) },
        target: '< 5 ms',
        pass: halfP99 < 5 && halves.every((h) => h.non2xx + h.errors === 0),
        note: `median of ${latencyRuns} ${latencySeconds}-s runs (${halves.map((h) => round(h.p99)).join('/')} ms; fastify ${plainHalves.map((h) => round(h.p99)).join('/')} ms) at ${half.overallRate} req/s offered, paced evenly over each second (one connection per staggered autocannon run, ${connections} in all), ${round(median(halves.map((h) => h.rps)))} req/s answered; p50 ${round(median(halves.map((h) => h.p50)))} ms (fastify ${round(median(plainHalves.map((h) => h.p50)))} ms)`,
      },
      {
        suite,
        name: '1,000-instance request latency',
        unit: 'ms',
        value: round(big.p50),
        note: `median of ${big.requests} sequential requests; p99 ${round(big.p99)} ms; ${round((1000 * 1000) / big.p50)} instances/s`,
      },
      {
        suite,
        name: 'non-2xx while production moves',
        unit: 'responses',
        value: swapped.non2xx + swapped.errors,
        target: '0',
        pass: swapped.non2xx + swapped.errors === 0,
        note: `${swaps} alias moves every 100 ms (server polls every 100 ms) during ${swapped.requests} requests at ${round(swapped.rps)} req/s`,
      },
      {
        suite,
        name: 'batch-1 predict throughput, ONNX model',
        unit: 'req/s',
        value: round(onnxRps),
        baseline: { name: 'the same network on the plain-JS forward pass (previous runs, same server)', value: round(ourRps) },
        ratio: round(median(onnxRuns.map((run, i) => run.rps / ourRuns[i]!.rps))),
        note: `the demo network exported to ONNX (preprocessing inside), served by onnxruntime-node; run right after each JS run; fastify ${round(median(plainRuns.map((r) => r.rps)))} req/s; server CPU ${round(median(onnxRuns.map((r) => r.cpuMicros)))} µs/request (JS ${round(median(ourRuns.map((r) => r.cpuMicros)))} µs); ratio = ONNX / JS, median of the pairs`,
      },
      {
        suite,
        name: 'p99 latency at half load, ONNX model',
        unit: 'ms',
        value: round(onnxHalfP99),
        baseline: { name: `plain fastify at the JS row's rate (${half.overallRate} req/s)`, value: round(median(plainHalves.map((h) => h.p99))) },
        target: '< 5 ms',
        pass: onnxHalfP99 < 5 && [...onnxHalves, ...onnxAtJsRate].every((h) => h.non2xx + h.errors === 0),
        note:
          `half the ONNX model's own throughput (${onnxHalf.overallRate} req/s offered, ${round(median(onnxHalves.map((h) => h.rps)))} answered), paced as the JS row; runs ${onnxHalves.map((h) => round(h.p99)).join('/')} ms, p50 ${round(median(onnxHalves.map((h) => h.p50)))} ms. ` +
          `At the JS row's rate (${half.overallRate} req/s): p99 ${round(median(onnxAtJsRate.map((h) => h.p99)))} ms (runs ${onnxAtJsRate.map((h) => round(h.p99)).join('/')}), where the JS forward pass has ${round(halfP99)} ms`,
      },
      ...forward,
    ];
  } finally {
    await Promise.all([plain.stop(), ours.stop()]);
    await rm(home, { recursive: true, force: true });
  }
}

const role = process.env.MLOPS_BENCH_ROLE;
if (role) await runRole(role);
