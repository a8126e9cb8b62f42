import { describe, expect, it } from 'vitest';
import { classificationMetrics, evaluatePredictor, regressionMetrics } from '../../../src/model/metrics.js';
import type { Predictor } from '../../../src/model/types.js';
import { table } from './fixtures.js';

describe('regressionMetrics', () => {
  it('matches hand-computed RMSE, MAE and R²', () => {
    // errors 0, -1, 1, 0 → SSE 2; mean 2.5 → SST 5.
    const m = regressionMetrics([1, 2, 3, 4], [1, 3, 2, 4]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.r2).toBeCloseTo(0.6, 12);
  });

  it('gives R² 1 for a perfect fit of a constant and 0 otherwise', () => {
    expect(regressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(regressionMetrics([2, 2], [1, 3]).r2).toBe(0);
  });

  it('rejects mismatched lengths', () => {
    expect(() => regressionMetrics([1, 2], [1])).toThrowError(/1 predictions for 2 labels/);
  });
});

describe('classificationMetrics', () => {
  it('matches hand-computed accuracy and log loss', () => {
    const probs = [
      { a: 0.8, b: 0.2 },
      { a: 0.4, b: 0.6 },
      { a: 0.7, b: 0.3 },
    ];
    const m = classificationMetrics(['a', 'b', 'b'], probs, ['a', 'b']);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6) + Math.log(0.3)) / 3, 12);
  });

  it('clips probabilities to [1e-15, 1 - 1e-15]', () => {
    const m = classificationMetrics(['a', 'b'], [{ a: 1, b: 0 }, { a: 1, b: 0 }], ['a', 'b']);
    expect(m.accuracy).toBe(0.5);
    expect(m.logLoss).toBeCloseTo((-Math.log(1 - 1e-15) - Math.log(1e-15)) / 2, 10);
  });
});

describe('evaluatePredictor', () => {
  const doubler: Predictor = {
    task: 'regression',
    features: [{ name: 'x', type: 'numeric' }],
    predict: (instances) => instances.map((i) => 2 * ((i.x as number | null) ?? 0)),
  };

  it('scores the rows that have a target through predict()', () => {
    const test = table({ x: [1, 2, 3, 4], y: [2, 4, null, 9] });
    const m = evaluatePredictor(doubler, test, { task: 'regression', data: { target: 'y' } });
    expect(m).toEqual(regressionMetrics([2, 4, 9], [2, 4, 8]));
  });

  it('reports a missing target or feature column as DataInvalid', () => {
    expect(() => evaluatePredictor(doubler, table({ x: [1] }), { task: 'regression', data: { target: 'y' } })).toThrowError(/no target column "y"/);
    expect(() => evaluatePredictor(doubler, table({ y: [1] }), { task: 'regression', data: { target: 'y' } })).toThrowError(/lacks the model's feature columns: x/);
  });

  it('computes accuracy and log loss for a classifier', () => {
    const coin: Predictor = {
      task: 'classification',
      features: [{ name: 'x', type: 'numeric' }],
      predict: (instances) => instances.map((i) => ((i.x as number) > 0 ? { label: 'up', probabilities: { down: 0.1, up: 0.9 } } : { label: 'down', probabilities: { down: 0.9, up: 0.1 } })),
    };
    const m = evaluatePredictor(coin, table({ x: [1, -1, 1], dir: ['up', 'down', 'down'] }), { task: 'classification', data: { target: 'dir' } });
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.logLoss).toBeCloseTo(-(2 * Math.log(0.9) + Math.log(0.1)) / 3, 12);
  });
});
