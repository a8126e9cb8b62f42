/**
 * Models trained elsewhere (`model.type: onnx`) through the whole lifecycle on a real dev server:
 * PyTorch models, trained on the test's CSV and exported with torch.onnx.export by
 * fixtures/torch_models.py, are imported, evaluated, approved, deployed and served; the served
 * predictions are PyTorch's own.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/model/random.js';
import { parseSpec } from '../../src/spec/parse.js';
import { approve, startTrainingPipeline, waitForStage } from '../../src/temporal/pipeline-client.js';
import { startHarness, type Harness } from './harness.js';

const python = '/usr/bin/python3';
const exporter = path.join(import.meta.dirname, 'fixtures', 'torch_models.py');

interface Exported {
  readonly csv: string;
  readonly onnx: string;
  readonly rows: Record<string, number | string>[];
  readonly expected: unknown[];
}

/** Writes `rows` as CSV and has PyTorch train and export a model on it. */
async function exportTorchModel(dir: string, kind: 'regression' | 'classification', rows: Record<string, number | string>[]): Promise<Exported> {
  await mkdir(dir, { recursive: true });
  const csv = path.join(dir, 'data.csv');
  const names = Object.keys(rows[0] ?? {});
  await writeFile(csv, `${names.join(',')}\n${rows.map((r) => names.map((n) => r[n]).join(',')).join('\n')}\n`);
  await promisify(execFile)(python, [exporter, kind, csv, dir], { timeout: 120_000 });
  return { csv, onnx: path.join(dir, 'model.onnx'), rows, expected: JSON.parse(await readFile(path.join(dir, 'expected.json'), 'utf8')) as unknown[] };
}

function seededRows(n: number, row: (r: () => number) => Record<string, number | string>): Record<string, number | string>[] {
  const r = mulberry32(11);
  return Array.from({ length: n }, () => row(r));
}

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('model.type onnx: PyTorch models through the lifecycle', () => {
  let h: Harness;
  let line: Exported;
  let regions: Exported;
  beforeAll(async () => {
    h = await startHarness('it-onnx');
    const dir = path.join(h.config.home, 'torch');
    [line, regions] = await Promise.all([
      exportTorchModel(path.join(dir, 'line'), 'regression', seededRows(240, (r) => {
        const x1 = r() * 4 - 2;
        const x2 = r() * 5;
        return { x1, x2, y: 3 * x1 + 2 * x2 + (r() - 0.5) * 0.2 };
      })),
      exportTorchModel(path.join(dir, 'regions'), 'classification', seededRows(240, (r) => {
        const a = r() * 4 - 2;
        return { a, b: r() * 4 - 2, label: a > 0.5 ? 'east' : a < -0.5 ? 'west' : 'mid' };
      })),
    ]);
  }, 240_000);
  afterAll(async () => h?.close());

  it('a torch.onnx.export regression model is evaluated, approved, deployed and serves PyTorch’s predictions', async () => {
    const spec = parseSpec(
      {
        name: 'torch-line',
        task: 'regression',
        data: { source: line.csv, target: 'y', features: [{ name: 'x1', type: 'numeric' }, { name: 'x2', type: 'numeric' }] },
        model: { type: 'onnx', uri: line.onnx },
        evaluation: { thresholds: { rmse: { upper: 5 } } },
      },
      'test',
    );
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    const waiting = await waitForStage(handle, ['awaiting-approval']);
    expect(waiting.decision?.blessed).toBe(true);
    expect(waiting.metrics?.rmse).toBeLessThan(1);
    await approve(handle, 'ana', 'the torch model');
    expect(await handle.result()).toMatchObject({ model: 'torch-line', version: 1, deployed: true });
    const version = (await h.registry.getModel('torch-line'))?.versions[0];
    expect(version?.lineage).toMatchObject({ trainer: 'onnx', source: { uri: line.onnx } });

    const instances = line.rows.map(({ x1, x2 }) => ({ x1, x2 }));
    const served = await post(`${h.serveUrl}/v1/models/torch-line:predict`, { instances });
    expect(served.status).toBe(200);
    const predictions = (served.json as { predictions: number[] }).predictions;
    expect(predictions).toHaveLength(line.expected.length);
    predictions.forEach((p, i) => expect(Math.abs(p - (line.expected[i] as number))).toBeLessThan(1e-5));
  });

  it('a classifier with softmax probabilities is served with the labels of model.classes on both TF-Serving and KServe v2 routes', async () => {
    const classes = ['east', 'mid', 'west'];
    const spec = parseSpec(
      {
        name: 'torch-regions',
        task: 'classification',
        data: { source: regions.csv, target: 'label', features: [{ name: 'a', type: 'numeric' }, { name: 'b', type: 'numeric' }] },
        model: { type: 'onnx', uri: regions.onnx, classes },
        approval: { mode: 'auto' },
        evaluation: { thresholds: { accuracy: { lower: 0.5 } } },
      },
      'test',
    );
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    expect(await handle.result()).toMatchObject({ model: 'torch-regions', version: 1, deployed: true });

    const rows = regions.rows.slice(0, 20);
    const expected = regions.expected.slice(0, 20) as number[][];
    const tf = await post(`${h.serveUrl}/v1/models/torch-regions:predict`, { instances: rows.map(({ a, b }) => ({ a, b })) });
    expect(tf.status).toBe(200);
    const tfPredictions = (tf.json as { predictions: { label: string; probabilities: Record<string, number> }[] }).predictions;
    tfPredictions.forEach((p, i) => {
      const probs = expected[i] as number[];
      classes.forEach((c, j) => expect(Math.abs((p.probabilities[c] ?? NaN) - (probs[j] as number))).toBeLessThan(1e-5));
      expect(p.label).toBe(classes[probs.indexOf(Math.max(...probs))]);
    });

    const v2 = await post(`${h.serveUrl}/v2/models/torch-regions/infer`, {
      inputs: [
        { name: 'a', shape: [rows.length], datatype: 'FP64', data: rows.map((r) => r.a) },
        { name: 'b', shape: [rows.length], datatype: 'FP64', data: rows.map((r) => r.b) },
      ],
    });
    expect(v2.status).toBe(200);
    const [labels, probabilities] = (v2.json as { outputs: { name: string; data: (string | number)[]; parameters?: { classes: string[] } }[] }).outputs;
    expect(labels?.data).toEqual(tfPredictions.map((p) => p.label));
    expect(probabilities?.parameters?.classes).toEqual(classes);
    expect(probabilities?.data.length).toBe(rows.length * classes.length);
    (probabilities?.data as number[]).forEach((p, k) => expect(Math.abs(p - ((expected[Math.floor(k / 3)] as number[])[k % 3] as number))).toBeLessThan(1e-5));
  });
});
