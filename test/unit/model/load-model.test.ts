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

  it("the built-in MLP's manifest with its weights is served by the plain-JS forward pass, answering as its model.onnx does", async () => {
    const store = new FileArtifactStore(inTemp('weights'));
    const bundle = demoBundle(5);
    const onnx = await store.putBytes(exportMlpToOnnx(bundle), '.onnx');
    const weights = await store.putBytes(serializeBundle(bundle), '.weights.json');
    const manifest = { format: MANIFEST_FORMAT, name: bundle.name, task: bundle.task, target: bundle.target, features: bundle.features, kind: 'mlp', onnx, trainedAt: bundle.trainedAt } as const;
    const fast = await loadModel(store, await store.putBytes(serializeManifest({ ...manifest, details: { weights } }), '.model.json'));
    const viaOnnx = await loadModel(store, await store.putBytes(serializeManifest(manifest), '.model.json'));
    const instances = demoInstances(50);
    const answers = fast.predict(instances);
    expect(Array.isArray(answers)).toBe(true); // synchronous: no onnxruntime session behind it
    expect(fast.dispose).toBeUndefined();
    ((await viaOnnx.predict(instances)) as number[]).forEach((p, i) => expect(Math.abs(p - ((answers as number[])[i] as number))).toBeLessThan(1e-5));
    await viaOnnx.dispose?.();
    await expect(loadModel(store, await store.putBytes(serializeManifest({ ...manifest, details: { weights: 'w.json' } }), '.model.json'))).rejects.toMatchObject({
      type: 'ArtifactCorrupt',
      message: expect.stringMatching(/details.weights is not an artifact reference/),
    });
  });

  it('says what is wrong with bytes that are no bundle', async () => {
    const store = new FileArtifactStore(inTemp('bad'));
    await expect(loadModel(store, await store.putBytes('not json', '.model.json'))).rejects.toMatchObject({ type: 'ArtifactCorrupt', message: expect.stringMatching(/is not JSON/) });
    await expect(loadModel(store, await store.putBytes(JSON.stringify({ format: MANIFEST_FORMAT }), '.model.json'))).rejects.toMatchObject({ type: 'ArtifactCorrupt', message: expect.stringMatching(/the model manifest lacks "name" or "target"/) });
  });
});
