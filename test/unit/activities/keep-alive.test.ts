import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { keepAliveMs, withKeepAlive } from '../../../activities/keep-alive.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `step` wrapped, counting the heartbeats it sends while running and for a while after. */
async function heartbeatsOf(info: ConstructorParameters<typeof MockActivityEnvironment>[0], step: () => Promise<string>) {
  const env = new MockActivityEnvironment(info);
  let beats = 0;
  env.on('heartbeat', () => beats++);
  const result = await env.run(withKeepAlive(step));
  const during = beats;
  await sleep(700);
  return { result, during, after: beats - during };
}

describe('withKeepAlive', () => {
  it('heartbeats from the start of a step to its end, every third of the heartbeat timeout, and then stops', async () => {
    const { result, during, after } = await heartbeatsOf({ heartbeatTimeoutMs: 750 }, async () => {
      await sleep(1_100);
      return 'done';
    });
    expect(result).toBe('done');
    // One at the start, then one every 250 ms for 1.1 s.
    expect(during).toBeGreaterThanOrEqual(3);
    expect(during).toBeLessThanOrEqual(6);
    expect(after).toBe(0);
  });

  it('stops heartbeating when the step throws, and passes the error on', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 750 });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const failing = withKeepAlive(async () => {
      await sleep(300);
      throw new Error('bad data');
    });
    await expect(env.run(failing)).rejects.toThrow('bad data');
    const atEnd = beats;
    expect(atEnd).toBeGreaterThanOrEqual(2);
    await sleep(700);
    expect(beats).toBe(atEnd);
  });

  it('sends nothing from a local activity, which has no heartbeats', async () => {
    const { result, during } = await heartbeatsOf({ heartbeatTimeoutMs: 750, isLocal: true }, async () => {
      await sleep(600);
      return 'local';
    });
    expect(result).toBe('local');
    expect(during).toBe(0);
  });

  it('heartbeats at least every 5 s, and at most every 250 ms', () => {
    const interval = (heartbeatTimeoutMs: number | undefined) => keepAliveMs({ info: { heartbeatTimeoutMs } } as never);
    expect(interval(60_000)).toBe(5_000);
    expect(interval(9_000)).toBe(3_000);
    expect(interval(300)).toBe(250);
    expect(interval(undefined)).toBe(5_000);
  });
});
