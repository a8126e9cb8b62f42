/** The readiness check on its own: the synthetic smoke instance and what counts as a sane answer. */
import { describe, expect, it } from 'vitest';
import type { Prediction, Predictor } from '../../../src/model/types.js';
import { checkReadiness, SMOKE_CATEGORY, syntheticInstance } from '../../../src/serving/readiness.js';
import { features } from './helpers.js';

const ref = { uri: 'file:///x', sha256: 'x', bytes: 1 };
const classifier = (answer: Prediction): Predictor => ({ task: 'classification', features, classes: ['a', 'b'], predict: () => [answer] });

describe('checkReadiness', () => {
  it('sends 0 for numeric features and an unseen category for categorical ones by default', async () => {
    expect(syntheticInstance(features)).toEqual({ trip_distance: 0, passengers: 0, PULocationID: SMOKE_CATEGORY });
    let seen: unknown;
    const predictor: Predictor = { task: 'regression', features, predict: (xs) => ((seen = xs[0]), [1.5]) };
    expect((await checkReadiness(async () => predictor, ref)).prediction).toBe(1.5);
    expect(seen).toEqual(syntheticInstance(features));
  });

  it('uses only the model features of a given row, absent ones as missing', async () => {
    let seen: unknown;
    const predictor: Predictor = { task: 'regression', features, predict: (xs) => ((seen = xs[0]), [1]) };
    await checkReadiness(async () => predictor, ref, { trip_distance: 3, target: 9, PULocationID: '7' });
    expect(seen).toEqual({ trip_distance: 3, passengers: null, PULocationID: '7' });
  });

  it.each([
    [{ label: 'a', probabilities: { a: 0.7, b: 0.7 } }, /sum to 1.4/],
    [{ label: 'c', probabilities: { a: 0.5, b: 0.5 } }, /"c" is not one of the model's classes/],
    [{ label: 'a', probabilities: { a: Number.NaN, b: 1 } }, /not all between 0 and 1/],
    [3, /must answer \{ label, probabilities \}/],
  ])('fails a classifier answering %j', async (answer, message) => {
    await expect(checkReadiness(async () => classifier(answer), ref)).rejects.toMatchObject({ type: 'ReadinessCheckFailed', message: expect.stringMatching(message) });
  });

  it('passes a sane classifier', async () => {
    await expect(checkReadiness(async () => classifier({ label: 'b', probabilities: { a: 0.25, b: 0.75 } }), ref)).resolves.toMatchObject({ prediction: { label: 'b' } });
  });
});
