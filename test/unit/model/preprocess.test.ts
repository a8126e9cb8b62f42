import { describe, expect, it } from 'vitest';
import {
  MAX_VOCABULARY,
  decodeRegression,
  encodeFeatures,
  encodeTarget,
  fitPreprocessing,
  type CategoricalFeatureState,
  type PreprocessingState,
} from '../../../src/model/preprocess.js';
import { MlopsError } from '../../../src/errors.js';
import { classificationSpec, regressionSpec, table } from './fixtures.js';

const spec = regressionSpec();

describe('fitPreprocessing', () => {
  it('standardizes numeric features on present values and one-hots categories by frequency', () => {
    const train = table({ x: [1, 3, null, 5], color: ['red', 'blue', 'red', null], y: [10, 20, 30, 40] });
    const state = fitPreprocessing(spec, train);
    expect(state.features[0]).toEqual({ type: 'numeric', name: 'x', mean: 3, std: Math.sqrt(8 / 3) });
    expect(state.features[1]).toEqual({ type: 'categorical', name: 'color', vocabulary: ['red', 'blue'] });
    expect(state.target).toEqual({ task: 'regression', name: 'y', mean: 25, std: Math.sqrt(125) });
    expect(state.width).toBe(2 + 3);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('keeps mean and std finite for huge values', () => {
    const state = fitPreprocessing(spec, table({ x: [1e200, -1e200, 1e200, -1e200], color: ['a', 'b', 'a', 'b'], y: [1, 2, 3, 4] }));
    expect(state.features[0]).toMatchObject({ mean: 0, std: 1e200 });
  });

  it('uses std 1 for a constant column', () => {
    const state = fitPreprocessing(spec, table({ x: [2, 2, 2], color: ['a', 'a', 'a'], y: [1, 2, 3] }));
    expect(state.features[0]).toMatchObject({ mean: 2, std: 1 });
  });

  it(`caps the vocabulary at the ${MAX_VOCABULARY} most frequent values`, () => {
    const color = Array.from({ length: 300 }, (_, i) => (i < 200 ? `c${i % 101}` : 'common'));
    const state = fitPreprocessing(spec, table({ x: color.map(() => 1), color, y: color.map((_, i) => i) }));
    const vocabulary = (state.features[1] as CategoricalFeatureState).vocabulary;
    expect(vocabulary).toHaveLength(MAX_VOCABULARY);
    expect(vocabulary[0]).toBe('common');
  });

  it('sorts classes and rejects a single class or a missing column', () => {
    const cls = classificationSpec();
    const state = fitPreprocessing(cls, table({ x: [1, 2, 3], shade: ['a', 'b', 'a'], label: ['mid', 'high', 'low'] }));
    expect(state.target).toEqual({ task: 'classification', name: 'label', classes: ['high', 'low', 'mid'] });
    expect(() => fitPreprocessing(cls, table({ x: [1, 2], shade: ['a', 'b'], label: ['yes', 'yes'] }))).toThrowError(
      /target "label" has a single class \(yes\).*at least two classes/,
    );
    expect(() => fitPreprocessing(spec, table({ x: [1], y: [1] }))).toThrowError(/column "color" is not in the data/);
  });

  it('rejects a non-numeric regression target as DataInvalid', () => {
    const bad = () => fitPreprocessing(spec, table({ x: [1, 2], color: ['a', 'b'], y: [1, 'fast'] }));
    expect(bad).toThrowError(MlopsError);
    expect(bad).toThrowError(/regression target "y" must be numeric, but row 1 holds "fast"/);
    try {
      bad();
    } catch (err) {
      expect((err as MlopsError).type).toBe('DataInvalid');
    }
  });
});

describe('encodeFeatures', () => {
  const train = table({ x: [1, 3, 5], color: ['red', 'blue', 'red'], y: [1, 2, 3] });
  const state: PreprocessingState = fitPreprocessing(spec, train);
  const sd = Math.sqrt(8 / 3);

  it('encodes a table row-major with missing flags and an out-of-vocabulary bucket', () => {
    const out = encodeFeatures(state, table({ x: [5, null], color: ['purple', null], y: [0, 0] }));
    expect(Array.from(out)).toEqual([Math.fround(2 / sd), 0, 0, 0, 1, 0, 1, 0, 0, 1]);
  });

  it('encodes serving instances exactly like the table', () => {
    const instances = [
      { x: 1, color: 'red' },
      { x: null, color: 'blue', extra: 'ignored' },
      { x: 4.5, color: 7 },
    ];
    const fromTable = encodeFeatures(state, table({ x: [1, null, 4.5], color: ['red', 'blue', 7] }));
    expect(encodeFeatures(state, instances)).toEqual(fromTable);
    expect(state.width).toBe(5);
    expect(fromTable.length).toBe(15);
  });

  it('names the instance, the feature and the fix in BadRequest errors', () => {
    const expectBadRequest = (instances: Record<string, unknown>[], message: string) => {
      try {
        encodeFeatures(state, instances);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(MlopsError);
        expect((err as MlopsError).type).toBe('BadRequest');
        expect((err as MlopsError).message).toBe(message);
      }
    };
    const ok = { x: 1, color: 'red' };
    expectBadRequest([ok, ok, ok, { color: 'red' }], 'instance 3: missing feature "x"; send every feature of the model: x, color');
    expectBadRequest([{ x: '12', color: 'red' }], 'instance 0: feature "x" expected a number (or null when missing), got the string "12"');
    expectBadRequest([ok, { x: Number.NaN, color: 'red' }], 'instance 1: feature "x" expected a number (or null when missing), got NaN');
    expectBadRequest([{ x: 1, color: { a: 1 } }], 'instance 0: feature "color" expected a string or number (or null when missing), got an object');
    expectBadRequest([null as unknown as Record<string, unknown>], 'instance 0: expected an object of feature name → value, got null');
  });

  it('rejects text in a numeric training column as DataInvalid', () => {
    expect(() => encodeFeatures(state, table({ x: ['1.5'], color: ['red'] }))).toThrowError(/numeric feature "x" row 0 holds the text "1.5"/);
  });
});

describe('encodeTarget', () => {
  it('standardizes a regression target and decodes it back', () => {
    const state = fitPreprocessing(spec, table({ x: [1, 2], color: ['a', 'b'], y: [10, 20] }));
    expect(Array.from(encodeTarget(state, table({ y: [10, 20, 15] })))).toEqual([-1, 1, 0]);
    expect(decodeRegression(state, 1)).toBe(20);
  });

  it('encodes two classes as 0/1 and more classes one-hot', () => {
    const cls = classificationSpec();
    const binary = fitPreprocessing(cls, table({ x: [1, 2], shade: ['a', 'b'], label: [true, false].map(String) }));
    expect(Array.from(encodeTarget(binary, table({ label: ['true', 'false'] })))).toEqual([1, 0]);
    const three = fitPreprocessing(cls, table({ x: [1, 2, 3], shade: ['a', 'b', 'c'], label: ['b', 'c', 'a'] }));
    expect(Array.from(encodeTarget(three, table({ label: ['c', 'a'] })))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => encodeTarget(three, table({ label: ['d'] }))).toThrowError(/class "d", which the model does not know/);
  });
});
