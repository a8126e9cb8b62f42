import { describe, expect, it } from 'vitest';
import { earlyStoppingState } from '../../../src/model/early-stopping.js';

const h = (...valLosses: (number | undefined)[]) => valLosses.map((valLoss) => ({ loss: 1, valLoss }));

describe('earlyStoppingState', () => {
  it('tracks the best epoch and stops after `patience` epochs without improvement', () => {
    const config = { patience: 2, minDelta: 0 };
    expect(earlyStoppingState(h(5, 4, 4.5), config)).toEqual({ bestEpoch: 2, bestValLoss: 4, wait: 1, stop: false });
    expect(earlyStoppingState(h(5, 4, 4.5, 4.2), config)).toMatchObject({ bestEpoch: 2, wait: 2, stop: true });
    expect(earlyStoppingState(h(5, 4, 4.5, 3), config)).toMatchObject({ bestEpoch: 4, wait: 0, stop: false });
  });

  it('counts only improvements larger than minDelta', () => {
    expect(earlyStoppingState(h(5, 4.95, 4.9), { patience: 2, minDelta: 0.1 })).toMatchObject({ bestEpoch: 1, stop: true });
  });

  it('never stops without a validation loss', () => {
    expect(earlyStoppingState(h(undefined, undefined, undefined), { patience: 1, minDelta: 0 })).toMatchObject({ bestEpoch: 0, stop: false });
  });
});
