import { describe, expect, it } from 'vitest';
import { decideBlessing } from '../../../src/evaluation/blessing.js';

describe('decideBlessing', () => {
  it('blesses when every bound holds and explains each check', () => {
    const b = decideBlessing({ metrics: { rmse: 3, r2: 0.8 }, task: 'regression', evaluation: { thresholds: { rmse: { upper: 8 }, r2: { lower: 0.5 } }, mustBeatChampion: false } });
    expect(b.blessed).toBe(true);
    expect(b.reasons).toEqual(['pass: rmse 3 ≤ 8', 'pass: r2 0.8 ≥ 0.5']);
  });

  it('fails a bound, and a metric the task does not compute', () => {
    const b = decideBlessing({ metrics: { rmse: 9 }, task: 'regression', evaluation: { thresholds: { rmse: { upper: 8 }, accuracy: { lower: 0.9 } }, mustBeatChampion: false } });
    expect(b.blessed).toBe(false);
    expect(b.reasons[0]).toBe('FAIL: rmse 9 ≤ 8');
    expect(b.reasons[1]).toMatch(/FAIL: metric "accuracy" .* not computed for regression; use one of rmse/);
  });

  it('compares with the champion on the primary metric', () => {
    const evaluation = { thresholds: {}, mustBeatChampion: true };
    expect(decideBlessing({ metrics: { rmse: 4 }, task: 'regression', evaluation, champion: { version: 2, metrics: { rmse: 5 } } }).blessed).toBe(true);
    const worse = decideBlessing({ metrics: { accuracy: 0.7 }, task: 'classification', evaluation, champion: { version: 3, metrics: { accuracy: 0.9 } } });
    expect(worse.blessed).toBe(false);
    expect(worse.reasons[0]).toBe('FAIL: accuracy 0.7 vs champion v3 0.9 on the same test data');
    expect(decideBlessing({ metrics: { rmse: 4 }, task: 'regression', evaluation }).reasons[0]).toMatch(/no production champion/);
  });
});
