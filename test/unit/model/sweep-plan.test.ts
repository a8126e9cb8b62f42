import { describe, expect, it } from 'vitest';
import { sweepSchema, type SweepSpecInput } from '../../../src/model/model-spec.js';
import { planTrials } from '../../../workflows/hyperparameter-sweep.js';

const plan = (sweep: SweepSpecInput, seed = 42) => planTrials(sweepSchema.parse(sweep), seed);

describe('planTrials (the sweep workflow’s planner)', () => {
  it('grid: every combination, in model-field order with the first field varying slowest', () => {
    expect(plan({ parameters: { learningRate: [0.1, 0.01], hiddenUnits: [[4], [8, 8]] } })).toEqual([
      { hiddenUnits: [4], learningRate: 0.1 },
      { hiddenUnits: [4], learningRate: 0.01 },
      { hiddenUnits: [8, 8], learningRate: 0.1 },
      { hiddenUnits: [8, 8], learningRate: 0.01 },
    ]);
  });

  it('random: `trials` samples inside the ranges, integers rounded, the same for the same seed', () => {
    const sweep: SweepSpecInput = {
      method: 'random',
      trials: 12,
      parameters: { learningRate: { min: 1e-4, max: 1e-1, scale: 'log' }, epochs: { min: 2, max: 9 }, optimizer: ['adam', 'sgd'] },
    };
    const trials = plan(sweep);
    expect(trials).toHaveLength(12);
    for (const t of trials) {
      expect(t.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(t.learningRate).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(t.epochs)).toBe(true);
      expect(t.epochs).toBeGreaterThanOrEqual(2);
      expect(t.epochs).toBeLessThanOrEqual(9);
    }
    expect(new Set(trials.map((t) => t.optimizer))).toEqual(new Set(['adam', 'sgd']));
    expect(plan(sweep)).toEqual(trials);
    expect(plan(sweep, 7)).not.toEqual(trials);
  });

  it('random: a low-discrepancy sequence spreads samples over the range (in log space)', () => {
    const trials = plan({ method: 'random', trials: 10, parameters: { learningRate: { min: 1e-5, max: 1e-0, scale: 'log' } } });
    const deciles = new Set(trials.map((t) => Math.floor(((Math.log10(t.learningRate as number) + 5) / 5) * 10)));
    // 10 independent uniform draws hit about 6.5 of the 10 tenths on average.
    expect(deciles.size).toBeGreaterThanOrEqual(8);
  });

  it('random: defaults to 10 trials', () => {
    expect(plan({ method: 'random', parameters: { seed: [1, 2, 3] } })).toHaveLength(10);
  });
});
