/** loadModel, the one seam: bundles written before manifests (mlp@1) still load and serve; manifests load their ONNX graph. */
import { describe, expect, it } from 'vitest';
import { serializeBundle } from '../../../src/model/bundle.js';
import { exportMlpToOnnx } from '../../../src/model/kinds/mlp/onnx-export.js';
import { loadModel, summarizeModel } from '../../../src/model/load-model.js';
import { MANIFEST_FORMAT, serializeManifest } from '../../../src/model/manifest.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { demoBundle, demoInstances } from '../serving/demo-bundle.js';
import { useTempDir } from './temp-dir.js';

const inTemp = useTempDir('mlops-load-model-');

describe('loadModel', () => {
  it('an mlp@1 bundle already in a registry still loads and answers as before', async () => {
    const store = new FileArtifactStore(inTemp('old'));
    const bundle = demoBundle(3);
    const ref = await store.putBytes(serializeBundle(bundle), '.model.json');
    const predictor = await loadModel(store, ref);
    const instances = demoInstances(20);
    expect(await predictor.predict(instances)).toEqual(createPredictor(bundle).predict(instances));
    expect(await summarizeModel(store, ref)).toEqual({ kind: 'mlp', trainedAt: bundle.trainedAt, backend: bundle.backend, history: bundle.history });
  });

  it('a manifest loads its model.onnx into onnxruntime, and dispose() frees it', async () => {
    const store = new FileArtifactStore(inTemp('new'));
    const bundle = demoBundle(4);
    const onnx = await store.putBytes(exportMlpToOnnx(bundle), '.onnx');
    const details = { backend: 'wasm', history: bundle.history };
    const ref = await store.putBytes(serializeManifest({ format: MANIFEST_FORMAT, name: bundle.name, task: bundle.task, target: bundle.target, features: bundle.features, kind: 'mlp', onnx, trainedAt: bundle.trainedAt, details }), '.model.json');
    const predictor = await loadModel(store, ref);
    const instances = demoInstances(20);
    const js = createPredictor(bundle).predict(instances) as number[];
    ((await predictor.predict(instances)) as number[]).forEach((p, i) => expect(Math.abs(p - (js[i] as number))).toBeLessThan(1e-5));
    await predictor.dispose?.();
    expect(await summarizeModel(store, ref)).toMatchObject({ kind: 'mlp', backend: 'wasm', history: bundle.history });
  });

  it('says what is wrong with bytes that are no bundle', async () => {
    const store = new FileArtifactStore(inTemp('bad'));
    await expect(loadModel(store, await store.putBytes('not json', '.model.json'))).rejects.toMatchObject({ type: 'ArtifactCorrupt', message: expect.stringMatching(/is not JSON/) });
    await expect(loadModel(store, await store.putBytes(JSON.stringify({ format: MANIFEST_FORMAT }), '.model.json'))).rejects.toMatchObject({ type: 'ArtifactCorrupt', message: expect.stringMatching(/the model manifest lacks "name" or "target"/) });
  });
});
