import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/model/backend.js';
import { BUNDLE_FORMAT, parseBundle, serializeBundle } from '../../../src/model/bundle.js';
import { regressionData, regressionSpec } from './fixtures.js';
import { trainedLikeModel } from './model-fixtures.js';

describe('model bundle', () => {
  let bundle: ReturnType<typeof trainedLikeModel>['bundle'];
  beforeAll(async () => {
    await selectBackend();
    bundle = trainedLikeModel(regressionSpec({ hiddenUnits: [4, 3] }), regressionData(40)).bundle;
  });

  it('extracts every dense layer row-major with its activation', () => {
    expect(bundle.format).toBe(BUNDLE_FORMAT);
    expect(bundle.layers.map((l) => [l.units, l.activation, l.kernel.length, l.bias.length])).toEqual([
      [4, 'relu', bundle.preprocessing.width * 4, 4],
      [3, 'relu', 4 * 3, 3],
      [1, 'linear', 3, 1],
    ]);
  });

  it('round-trips through JSON text and bytes', () => {
    const text = serializeBundle(bundle);
    expect(parseBundle(text)).toEqual(bundle);
    expect(parseBundle(Buffer.from(text))).toEqual(bundle);
  });

  it('says clearly what is wrong with a document that is not a bundle', () => {
    expect(() => parseBundle('{"format":"keras@2"}')).toThrowError(
      'the model bundle has format "keras@2", expected "temporal-mlops/mlp@1"; it is not a model bundle, or a newer version of temporal-mlops wrote it',
    );
    expect(() => parseBundle('not json')).toThrowError(/the model bundle is not JSON/);
    const truncated = { ...bundle, layers: [{ ...bundle.layers[0], kernel: [1, 2] }, ...bundle.layers.slice(1)] };
    expect(() => parseBundle(JSON.stringify(truncated))).toThrowError(`layer 0 is malformed: it needs ${bundle.preprocessing.width}×units finite kernel weights`);
    const nan = { ...bundle, layers: [...bundle.layers.slice(0, 2), { ...bundle.layers[2], bias: [null] }] };
    expect(() => parseBundle(JSON.stringify(nan))).toThrowError(/layer 2 is malformed/);
  });
});
