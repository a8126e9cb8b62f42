import { describe, expect, it } from 'vitest';
import { classWeightsFor } from '../../../src/model/class-weights.js';

const target = { task: 'classification', name: 'label', classes: ['a', 'b', 'c'] } as const;
const labels = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'a'];

describe('classWeightsFor', () => {
  it('balanced: n / (classes × count) over the fitted rows only', () => {
    // rows 0–6: a×4, b×2, c×1 (row 7 is held out)
    const w = classWeightsFor('balanced', target, labels, [0, 1, 2, 3, 4, 5, 6]);
    expect(w).toEqual({ 0: 7 / (3 * 4), 1: 7 / (3 * 2), 2: 7 / 3 });
  });

  it('a record weights the classes it names and leaves the others at 1', () => {
    expect(classWeightsFor({ c: 5 }, target, labels, [0, 1])).toEqual({ 0: 1, 1: 1, 2: 5 });
    expect(classWeightsFor(undefined, target, labels, [0])).toBeUndefined();
  });

  it('names a class the data lacks, and refuses regression targets', () => {
    expect(() => classWeightsFor({ d: 2 }, target, labels, [0])).toThrowError('model.classWeights names "d", which the training data does not have; its classes are a, b, c');
    expect(() => classWeightsFor('balanced', { task: 'regression', name: 'y', mean: 0, std: 1 }, [], [])).toThrowError(/applies to task: classification/);
  });
});
