import { describe, expect, it } from 'vitest';
import { naiveBaseline } from '../../../src/evaluation/baseline.js';
import { decideBlessing } from '../../../src/evaluation/blessing.js';
import { evaluateModel } from '../../../src/evaluation/evaluate-model.js';
import { MAX_SLICES, OTHER } from '../../../src/evaluation/slices.js';
import { regressionMetrics } from '../../../src/model/metrics.js';
import type { Predictor } from '../../../src/model/types.js';
import { renderEvaluationReport } from '../../../src/report/evaluation-report.js';
import { pipelineSpecSchema } from '../../../src/spec/schema.js';
import { table } from '../model/fixtures.js';

const regression = pipelineSpecSchema.parse({
  name: 'trips',
  task: 'regression',
  data: { source: 'x.csv', target: 'y', features: [{ name: 'x', type: 'numeric' }, { name: 'zone', type: 'categorical' }] },
  evaluation: { sliceBy: 'zone' },
});
const classification = pipelineSpecSchema.parse({
  ...regression,
  name: 'dirs',
  task: 'classification',
  data: { ...regression.data, target: 'dir' },
});

const doubler: Predictor = { task: 'regression', features: [{ name: 'x', type: 'numeric' }], predict: (rows) => rows.map((r) => 2 * (r.x as number)) };
const sign: Predictor = {
  task: 'classification',
  features: [{ name: 'x', type: 'numeric' }],
  classes: ['down', 'up'],
  predict: (rows) => rows.map((r) => ((r.x as number) > 0 ? { label: 'up', probabilities: { down: 0.2, up: 0.8 } } : { label: 'down', probabilities: { down: 0.7, up: 0.3 } })),
};

describe('naiveBaseline', () => {
  it('predicts the training mean for regression', async () => {
    const { strategy, predictor } = naiveBaseline(regression, table({ y: [1, 2, 6] }));
    expect(strategy).toBe('mean');
    expect(predictor.predict([{}, {}])).toEqual([3, 3]);
  });

  it('predicts the majority class with the training frequencies for classification', async () => {
    const { strategy, predictor } = naiveBaseline(classification, table({ dir: ['up', 'down', 'up', 'up'] }));
    expect(strategy).toBe('majority');
    expect(predictor.predict([{}])).toEqual([{ label: 'up', probabilities: { down: 0.25, up: 0.75 } }]);
  });
});

describe('evaluateModel', () => {
  it('scores regression per slice, with missing values as their own slice', async () => {
    const test = table({ x: [1, 2, 3, 4], zone: ['a', 'b', 'a', null], y: [2, 5, 6, 8] });
    const e = await evaluateModel(doubler, test, regression, 'zone');
    expect(e.metrics).toEqual({ ...regressionMetrics([2, 5, 6, 8], [2, 4, 6, 8]) });
    expect(e.slices).toEqual({
      feature: 'zone',
      slices: [
        { value: 'a', rows: 2, metrics: { ...regressionMetrics([2, 6], [2, 6]) } },
        { value: '(missing)', rows: 1, metrics: { ...regressionMetrics([8], [8]) } },
        { value: 'b', rows: 1, metrics: { ...regressionMetrics([5], [4]) } },
      ],
    });
  });

  it('builds the confusion matrix, and pools slices beyond the largest ones', async () => {
    const n = MAX_SLICES + 5;
    const x = Array.from({ length: n + 1 }, (_, i) => (i % 2 ? 1 : -1));
    const zone = [...Array.from({ length: n }, (_, i) => `z${i}`), 'z0'];
    const dir = x.map((v, i) => (i === 0 ? 'up' : v > 0 ? 'up' : 'down'));
    const e = await evaluateModel(sign, table({ x, zone, dir }), classification, 'zone');
    expect(e.confusion).toEqual({ labels: ['down', 'up'], counts: [[12, 0], [1, 13]] });
    expect(e.slices?.slices).toHaveLength(MAX_SLICES + 1);
    expect(e.slices?.slices[0]).toMatchObject({ value: 'z0', rows: 2 });
    expect(e.slices?.slices.at(-1)).toMatchObject({ value: OTHER, rows: 5 });
  });

  it('refuses to slice by a numeric or unknown feature, naming the categorical ones', async () => {
    const test = table({ x: [1], zone: ['a'], y: [2] });
    await expect(evaluateModel(doubler, test, regression, 'x')).rejects.toThrowError('evaluation.sliceBy "x" is numeric; slices need a categorical feature: use one of zone');
    await expect(evaluateModel(doubler, test, regression, 'nope')).rejects.toThrowError(/"nope" is not one of data\.features/);
  });
});

describe('renderEvaluationReport', () => {
  const history = [{ loss: 1, valLoss: 1.2 }, { loss: 0.5, valLoss: 0.7 }];
  const bundle = { backend: 'wasm', trainedAt: '2025-01-01T00:00:00.000Z', history } as never;

  it('shows the decision, metrics vs baseline and champion, learning curves, residuals and slices', async () => {
    const test = table({ x: [1, 2, 3, 4], zone: ['a', 'b', 'a', '<b>'], y: [2, 5, 6, 8] });
    const evaluation = await evaluateModel(doubler, test, regression, 'zone');
    const baseline = { strategy: 'mean' as const, metrics: { rmse: 9 } };
    const champion = { version: 3, metrics: { rmse: 0.1 } };
    const blessing = decideBlessing({ metrics: evaluation.metrics, evaluation: { ...regression.evaluation, mustBeatChampion: true }, task: 'regression', champion, baseline });
    const html = renderEvaluationReport({ spec: regression, bundle, evaluation, evaluatedOn: 'test', baseline, champion, blessing, dataset: { sha256: 'ab'.repeat(32), rows: 20 } });
    for (const heading of ['Decision', 'Metrics', 'Learning curves', 'Residuals', 'Predicted vs actual', 'Metrics by zone', 'Training']) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain('Not blessed');
    expect(html).toContain('champion v3');
    expect(html).toContain('naive baseline (mean)');
    expect(html).toContain('validation loss');
    expect(html).toContain('&lt;b&gt;');
    expect(html).not.toContain('<b>');
  });

  it('shows the confusion matrix and per-class precision and recall for a classifier', async () => {
    const evaluation = await evaluateModel(sign, table({ x: [1, -1, 1], zone: ['a', 'a', 'b'], dir: ['up', 'down', 'down'] }), classification);
    const baseline = { strategy: 'majority' as const, metrics: { accuracy: 0.5 } };
    const blessing = decideBlessing({ metrics: evaluation.metrics, evaluation: classification.evaluation, task: 'classification', baseline });
    const html = renderEvaluationReport({ spec: classification, bundle, evaluation, evaluatedOn: 'validation', baseline, blessing });
    expect(html).toContain('<h2>Confusion matrix</h2>');
    expect(html).toContain('<h2>Per class</h2>');
    expect(html).not.toContain('<h2>Residuals</h2>');
    expect(html).toContain('3 validation rows');
  });
});
