import { describe, expect, it } from 'vitest';
import { classificationMetrics, confusionMatrix, evaluatePredictor, macroPrecisionRecallF1, regressionMetrics, rocAuc } from '../../../src/model/metrics.js';
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

  it('computes MAPE as a fraction over the rows whose target is not 0', () => {
    // |e|/|y|: 0, 1/2, 1/3, 0
    expect(regressionMetrics([1, 2, 3, 4], [1, 3, 2, 4]).mape).toBeCloseTo((1 / 2 + 1 / 3) / 4, 12);
    expect(regressionMetrics([0, 2], [1, 1]).mape).toBeCloseTo(0.5, 12);
    expect(regressionMetrics([0, 0], [1, 1])).not.toHaveProperty('mape');
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

describe('classification metrics against hand-computed values', () => {
  it('binary: accuracy, macro precision/recall/F1, ROC AUC and log loss', () => {
    const pb = [0.1, 0.6, 0.4, 0.8];
    const m = classificationMetrics(['a', 'a', 'b', 'b'], pb.map((b) => ({ a: 1 - b, b })), ['a', 'b']);
    // predicted a, b, a, b: each class has tp 1, fp 1, fn 1.
    expect(m.accuracy).toBe(0.5);
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    expect(m.f1).toBeCloseTo(0.5, 12);
    // positives score 0.4 and 0.8, negatives 0.1 and 0.6: 3 of 4 pairs ordered right.
    expect(m.rocAuc).toBeCloseTo(0.75, 12);
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.8)) / 4, 12);
  });

  it('three classes: macro averages, one-vs-rest AUC with a tie, and the confusion matrix', () => {
    const probs = [
      { x: 0.7, y: 0.2, z: 0.1 }, // x → x
      { x: 0.1, y: 0.6, z: 0.3 }, // y → y
      { x: 0.2, y: 0.5, z: 0.3 }, // z → y
      { x: 0.4, y: 0.4, z: 0.2 }, // x → x (tie: first class wins)
      { x: 0.5, y: 0.3, z: 0.2 }, // y → x
    ];
    const yTrue = ['x', 'y', 'z', 'x', 'y'];
    const m = classificationMetrics(yTrue, probs, ['x', 'y', 'z']);
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
    // per class P/R/F1: x 2/3, 1, 0.8; y 1/2, 1/2, 1/2; z 0, 0, 0
    expect(m.precision).toBeCloseTo((2 / 3 + 1 / 2) / 3, 12);
    expect(m.recall).toBeCloseTo(1.5 / 3, 12);
    expect(m.f1).toBeCloseTo(1.3 / 3, 12);
    // AUC x 5/6, y 4/6, z 3.5/4 (its positive ties one negative at 0.3)
    expect(m.rocAuc).toBeCloseTo((5 / 6 + 4 / 6 + 3.5 / 4) / 3, 12);
    expect(confusionMatrix(yTrue, ['x', 'y', 'y', 'x', 'x'], ['x', 'y', 'z'])).toEqual({
      labels: ['x', 'y', 'z'],
      counts: [
        [2, 0, 0],
        [1, 1, 0],
        [0, 1, 0],
      ],
    });
  });

  it('ROC AUC is undefined without both classes, 0.5 for a constant score, 1 for a perfect ranking', () => {
    expect(rocAuc([0.1, 0.9], [true, true])).toBeUndefined();
    expect(rocAuc([0.5, 0.5, 0.5], [true, false, false])).toBe(0.5);
    expect(rocAuc([0.2, 0.9, 0.1], [false, true, false])).toBe(1);
  });

  it('counts a class never predicted as precision 0, and lists unknown labels in the confusion matrix', () => {
    expect(macroPrecisionRecallF1(['a', 'b'], ['a', 'a'])).toEqual({ precision: (0.5 + 0) / 2, recall: (1 + 0) / 2, f1: (2 / 3 + 0) / 2 });
    expect(confusionMatrix(['a', 'q'], ['a', 'a'], ['a', 'b']).labels).toEqual(['a', 'b', 'q']);
  });
});

describe('evaluatePredictor', () => {
  const doubler: Predictor = {
    task: 'regression',
    features: [{ name: 'x', type: 'numeric' }],
    predict: (instances) => instances.map((i) => 2 * ((i.x as number | null) ?? 0)),
  };

  it('scores the rows that have a target through predict()', async () => {
    const test = table({ x: [1, 2, 3, 4], y: [2, 4, null, 9] });
    const m = await evaluatePredictor(doubler, test, { task: 'regression', data: { target: 'y' } });
    expect(m).toEqual(regressionMetrics([2, 4, 9], [2, 4, 8]));
  });

  it('reports a missing target or feature column as DataInvalid', async () => {
    await expect(evaluatePredictor(doubler, table({ x: [1] }), { task: 'regression', data: { target: 'y' } })).rejects.toThrowError(/no target column "y"/);
    await expect(evaluatePredictor(doubler, table({ y: [1] }), { task: 'regression', data: { target: 'y' } })).rejects.toThrowError(/lacks the model's feature columns: x/);
  });

  it('computes accuracy and log loss for a classifier', async () => {
    const coin: Predictor = {
      task: 'classification',
      features: [{ name: 'x', type: 'numeric' }],
      predict: (instances) => instances.map((i) => ((i.x as number) > 0 ? { label: 'up', probabilities: { down: 0.1, up: 0.9 } } : { label: 'down', probabilities: { down: 0.9, up: 0.1 } })),
    };
    const m = await evaluatePredictor(coin, table({ x: [1, -1, 1], dir: ['up', 'down', 'down'] }), { task: 'classification', data: { target: 'dir' } });
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.logLoss).toBeCloseTo(-(2 * Math.log(0.9) + Math.log(0.1)) / 3, 12);
  });
});
