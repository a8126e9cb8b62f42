import { describe, expect, it } from 'vitest';
import { decideBlessing, type BlessingInput } from '../../../src/evaluation/blessing.js';
import { pipelineSpecSchema, type PipelineSpec, type PipelineSpecInput } from '../../../src/spec/schema.js';

const evaluation = (e: PipelineSpecInput['evaluation'] = {}): PipelineSpec['evaluation'] =>
  pipelineSpecSchema.parse({ name: 'm', task: 'regression', data: { source: 'x.csv', target: 'y', features: [{ name: 'x', type: 'numeric' }] }, evaluation: e }).evaluation;
const decide = (input: Omit<BlessingInput, 'evaluation'> & { evaluation?: PipelineSpecInput['evaluation'] }) => decideBlessing({ ...input, evaluation: evaluation(input.evaluation) });

describe('decideBlessing: value thresholds', () => {
  it('blesses when every bound holds and explains each check', () => {
    const b = decide({ metrics: { rmse: 3, r2: 0.8 }, task: 'regression', evaluation: { thresholds: { rmse: { upper: 8 }, r2: { lower: 0.5 } } } });
    expect(b).toEqual({ blessed: true, reasons: ['pass: rmse 3 ≤ 8', 'pass: r2 0.8 ≥ 0.5'] });
  });

  it('fails a bound, and a metric the task does not compute', () => {
    const b = decide({ metrics: { rmse: 9 }, task: 'regression', evaluation: { thresholds: { rmse: { upper: 8 }, accuracy: { lower: 0.9 } } } });
    expect(b.blessed).toBe(false);
    expect(b.reasons[0]).toBe('FAIL: rmse 9 ≤ 8');
    expect(b.reasons[1]).toMatch(/FAIL: metric "accuracy" .* not computed for regression; use one of rmse/);
  });

  it('says so when nothing is checked', () => {
    expect(decide({ metrics: { rmse: 1 }, task: 'regression' })).toEqual({ blessed: true, reasons: ['pass: no thresholds set (evaluation.thresholds is empty)'] });
  });
});

describe('decideBlessing: the champion on the same test data', () => {
  const mustBeat = { mustBeatChampion: true };

  it('passes a challenger at least as good on the primary metric, fails a worse one', () => {
    expect(decide({ metrics: { rmse: 4 }, task: 'regression', evaluation: mustBeat, champion: { version: 2, metrics: { rmse: 5 } } })).toEqual({
      blessed: true,
      reasons: ['pass: rmse 4 vs champion v2 5 on the same test data'],
    });
    const worse = decide({ metrics: { accuracy: 0.7 }, task: 'classification', evaluation: mustBeat, champion: { version: 3, metrics: { accuracy: 0.9 } } });
    expect(worse).toEqual({ blessed: false, reasons: ['FAIL: accuracy 0.7 vs champion v3 0.9 on the same test data'] });
  });

  it('passes the first model, and skips a champion that cannot be scored on this data, saying why', () => {
    expect(decide({ metrics: { rmse: 4 }, task: 'regression', evaluation: mustBeat }).reasons).toEqual(['pass: no production champion yet, so this model is the first']);
    const skipped = decide({ metrics: { rmse: 4 }, task: 'regression', evaluation: mustBeat, champion: { version: 1, metrics: {}, error: 'lacks columns: zone' } });
    expect(skipped).toEqual({ blessed: true, reasons: ['pass: champion v1 cannot be scored on this test data (lacks columns: zone), so the comparison is skipped'] });
  });

  it('change thresholds: a bounded worsening passes, a larger one fails, both absolute and relative', () => {
    const champion = { version: 4, metrics: { rmse: 4, r2: 0.8 } };
    const b = decide({
      metrics: { rmse: 4.1, r2: 0.7 },
      task: 'regression',
      champion,
      evaluation: { changeThresholds: { rmse: { relative: 0.05, absolute: 0.05 }, r2: { absolute: 0.05 } } },
    });
    expect(b.blessed).toBe(false);
    expect(b.reasons).toEqual([
      'FAIL: rmse 4.1 vs champion v4 4: worse by 0.1, allowed worsening 0.05',
      'pass: rmse 4.1 vs champion v4 4: worse by 0.1 (2.5 %), allowed worsening 5 %',
      'FAIL: r2 0.7 vs champion v4 0.8: worse by 0.1, allowed worsening 0.05',
    ]);
  });

  it('change thresholds: a negative allowance demands an improvement', () => {
    const champion = { version: 1, metrics: { rmse: 4 } };
    const evaluationSpec = { changeThresholds: { rmse: { relative: -0.1 } } };
    expect(decide({ metrics: { rmse: 3.5 }, task: 'regression', champion, evaluation: evaluationSpec }).blessed).toBe(true);
    const small = decide({ metrics: { rmse: 3.9 }, task: 'regression', champion, evaluation: evaluationSpec });
    expect(small).toEqual({ blessed: false, reasons: ['FAIL: rmse 3.9 vs champion v1 4: better by 0.1 (-2.5 %), allowed worsening -10 %'] });
  });
});

describe('decideBlessing: baseline and slices', () => {
  const baseline = { strategy: 'mean' as const, metrics: { rmse: 9 } };

  it('reports the naive baseline, and fails a model that does not beat it when asked', () => {
    expect(decide({ metrics: { rmse: 4 }, task: 'regression', baseline }).reasons).toEqual([
      'pass: no thresholds set (evaluation.thresholds is empty)',
      'info: rmse 4 vs naive baseline (mean) 9',
    ]);
    const useless = decide({ metrics: { rmse: 9.5 }, task: 'regression', baseline, evaluation: { mustBeatBaseline: true } });
    expect(useless).toEqual({ blessed: false, reasons: ['FAIL: rmse 9.5 vs naive baseline (mean) 9'] });
  });

  it('names the worst slice for the reviewer', () => {
    const slices = {
      feature: 'zone',
      slices: [
        { value: 'north', rows: 50, metrics: { accuracy: 0.9 } },
        { value: 'south', rows: 20, metrics: { accuracy: 0.6 } },
      ],
    };
    expect(decide({ metrics: { accuracy: 0.8 }, task: 'classification', slices }).reasons.at(-1)).toBe('info: worst slice zone=south: accuracy 0.6 (20 rows)');
  });
});
