import { describe, expect, it } from 'vitest';
import { jitterMs, shareOf } from '../../../workflows/jitter.js';

describe('deterministic jitter', () => {
  it('is the same for the same key, and within the window', () => {
    expect(jitterMs('monitor-7', 60_000)).toBe(jitterMs('monitor-7', 60_000));
    for (let i = 0; i < 100; i++) {
      const ms = jitterMs(`m-${i}`, 60_000);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(60_000);
    }
    expect(jitterMs('anything', 0)).toBe(0);
  });

  it('spreads a fleet of similar workflow IDs evenly over the window', () => {
    const deciles = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) deciles[Math.floor(shareOf(`fleet-monitor-${i}`) * 10)]!++;
    // 100 expected per tenth of the window; a clumping hash would leave some nearly empty.
    for (const count of deciles) expect(count).toBeGreaterThan(60);
    for (const count of deciles) expect(count).toBeLessThan(140);
  });
});
