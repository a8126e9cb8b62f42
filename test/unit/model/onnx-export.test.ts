/**
 * The built-in MLP exported to ONNX with its preprocessing inside: onnx.checker (Python's onnx)
 * accepts the graph, and onnxruntime answers as TensorFlow.js and the plain-JS forward pass do,
 * on rows with missing values and unseen categories.
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TabularData } from '../../../src/data/types.js';
import { selectBackend } from '../../../src/model/backend.js';
import { exportMlpToOnnx } from '../../../src/model/kinds/mlp/onnx-export.js';
import { onnxMetadata } from '../../../src/model/onnx-metadata.js';
import { createOnnxPredictor } from '../../../src/model/onnx-predictor.js';
import { encodeFeatures } from '../../../src/model/preprocess.js';
import { createPredictor } from '../../../src/model/predictor.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import { classificationData, classificationSpec, regressionData, regressionSpec, table } from './fixtures.js';
import { randomInstances, trainedLikeModel } from './model-fixtures.js';
import { useTempDir } from './temp-dir.js';
import { demoBundle, demoInstances } from '../serving/demo-bundle.js';

const inTemp = useTempDir('mlops-onnx-export-');

/** Exports a tfjs network with random weights; returns tfjs's outputs, the JS and the ONNX predictions. */
async function threeWays(spec: PipelineSpec, train: TabularData, instances: Record<string, unknown>[]) {
  const { model, bundle } = trainedLikeModel(spec, train);
  const x = encodeFeatures(bundle.preprocessing, instances);
  const tfjs = tf.tidy(() => (model.predict(tf.tensor2d(x, [instances.length, bundle.preprocessing.width])) as tf.Tensor).arraySync() as number[][]);
  const bytes = exportMlpToOnnx(bundle);
  const onnx = await createOnnxPredictor(bytes, { task: bundle.task, features: bundle.features, metadata: onnxMetadata(bytes) });
  try {
    return { bundle, bytes, tfjs, js: createPredictor(bundle).predict(instances), onnx: await onnx.predict(instances), classes: onnx.classes };
  } finally {
    await onnx.dispose();
  }
}

describe('exportMlpToOnnx', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('regression: onnx.checker accepts it; predictions equal the JS forward pass and tfjs within 1e-5', async () => {
    const instances = randomInstances(64, 'color', ['red', 'green', 'blue', 'purple', null]);
    instances[0] = { x: null, color: null };
    const { bundle, bytes, tfjs, js, onnx } = await threeWays(regressionSpec({ hiddenUnits: [16, 8] }), regressionData(50), instances);
    const dir = inTemp('line');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, bytes);
    const checked = await promisify(execFile)('/usr/bin/python3', ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")', file]);
    expect(checked.stdout.trim()).toBe('ok');
    const target = bundle.preprocessing.target as { mean: number; std: number };
    onnx.forEach((p, i) => {
      expect(Math.abs((p as number) - (js[i] as number))).toBeLessThan(1e-5);
      expect(Math.abs(((p as number) - target.mean) / target.std - (tfjs[i]?.[0] ?? NaN))).toBeLessThan(1e-5);
    });
  });

  it('several numeric and categorical features (the graph reorders columns): the JS forward pass within 1e-5, missing values too', async () => {
    const bundle = demoBundle(3);
    const instances = demoInstances(200);
    // Missing values in every feature, in turn.
    bundle.features.forEach((f, k) => (instances[k] = { ...instances[k], [f.name]: null }));
    const bytes = exportMlpToOnnx(bundle);
    const onnx = await createOnnxPredictor(bytes, { task: bundle.task, features: bundle.features });
    try {
      const js = createPredictor(bundle).predict(instances);
      (await onnx.predict(instances)).forEach((p, i) => expect(Math.abs((p as number) - (js[i] as number))).toBeLessThan(1e-5));
    } finally {
      await onnx.dispose();
    }
  });

  it('classification (softmax and binary sigmoid): the same probabilities and labels, classes from the graph', async () => {
    const instances = randomInstances(64, 'shade', ['light', 'dark', 'grey', null]);
    const three = await threeWays(classificationSpec({ hiddenUnits: [12] }), classificationData(50), instances);
    expect(three.classes).toEqual(three.bundle.classes);
    three.onnx.forEach((p, i) => {
      const js = three.js[i] as { label: string; probabilities: Record<string, number> };
      if (typeof p === 'number') throw new Error('expected a classification');
      expect(p.label).toBe(js.label);
      three.bundle.classes?.forEach((c, j) => {
        expect(Math.abs((p.probabilities[c] ?? NaN) - (js.probabilities[c] ?? NaN))).toBeLessThan(1e-5);
        expect(Math.abs((p.probabilities[c] ?? NaN) - (three.tfjs[i]?.[j] ?? NaN))).toBeLessThan(1e-5);
      });
    });
    const binaryData = table({ x: [1, 2, 3, 4, 5, 6], shade: ['a', 'b', 'a', 'b', 'a', 'b'], label: ['no', 'yes', 'no', 'yes', 'yes', 'no'] });
    const two = await threeWays(classificationSpec(), binaryData, instances);
    two.onnx.forEach((p, i) => expect(p).toEqual({ label: (two.js[i] as { label: string }).label, probabilities: expect.any(Object) }));
    two.onnx.forEach((p, i) => expect(Math.abs((p as { probabilities: Record<string, number> }).probabilities.yes! - (two.tfjs[i]?.[0] ?? NaN))).toBeLessThan(1e-5));
  });
});
