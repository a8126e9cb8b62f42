import { describe, expect, it } from 'vitest';
import { holdoutOf, takeRows } from '../../../src/model/holdout.js';
import { regressionSpec, table } from './fixtures.js';

describe('holdoutOf', () => {
  it('holds out floor(rows × validationSplit) rows, the same ones every time, disjoint from the fitted rows', () => {
    const spec = regressionSpec({ validationSplit: 0.2 });
    const a = holdoutOf(spec, 103);
    expect(a.validation).toHaveLength(20);
    expect(a.fit).toHaveLength(83);
    expect(new Set([...a.fit, ...a.validation]).size).toBe(103);
    expect(holdoutOf(spec, 103)).toEqual(a);
    // Spread over the rows, not the last ones.
    expect(Math.min(...a.validation)).toBeLessThan(50);
  });

  it('depends on the data split seed, not the model seed (sweep trials share one holdout)', () => {
    const spec = regressionSpec({ validationSplit: 0.2 });
    expect(holdoutOf({ ...spec, model: { ...spec.model, seed: 1 } }, 50)).toEqual(holdoutOf(spec, 50));
    const other = { ...spec, data: { ...spec.data, split: { method: 'random' as const, test: 0.2, seed: 7 } } };
    expect(holdoutOf(other, 50).validation).not.toEqual(holdoutOf(spec, 50).validation);
    expect(holdoutOf(regressionSpec({ validationSplit: 0 }), 50).validation).toEqual([]);
  });
});

describe('takeRows', () => {
  it('picks rows of every column in the given order', () => {
    expect(takeRows(table({ x: [1, 2, 3], c: ['a', 'b', null] }), [2, 0])).toEqual({ rows: 2, columns: { x: [3, 1], c: [null, 'a'] } });
  });
});
