import { describe, expect, it } from 'vitest';
import { trainInThread } from '../../../src/model/trainer.js';
import type { PipelineSpecOf } from '../../../src/spec/schema.js';
import { regressionData, regressionSpec, splitAt } from './fixtures.js';
import { useTempDir } from './temp-dir.js';

const inTemp = useTempDir('mlops-stop-');

const split = splitAt(regressionData(200), 160);

describe('stopping training', () => {
  it('stops promptly when the signal aborts and rejects with an AbortError', async () => {
    const controller = new AbortController();
    const epochs: number[] = [];
    let abortedAt = 0;
    const run = trainInThread(
      { spec: regressionSpec({ epochs: 500 }), split, checkpointDir: inTemp('abort') },
      {
        signal: controller.signal,
        onEpoch: (p) => {
          epochs.push(p.epoch);
          if (p.epoch === 2) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - abortedAt).toBeLessThan(2_000);
    expect(epochs).toEqual([1, 2]);
  });

  it('does not start when the signal is already aborted', async () => {
    const reason = new Error('activity cancelled');
    const run = trainInThread({ spec: regressionSpec(), split, checkpointDir: inTemp('never') }, { signal: AbortSignal.abort(reason) });
    await expect(run).rejects.toBe(reason);
  });

  it('stops with the error an onEpoch hook throws', async () => {
    const run = trainInThread(
      { spec: regressionSpec({ epochs: 500 }), split, checkpointDir: inTemp('hook') },
      {
        onEpoch: () => {
          throw new Error('heartbeat failed');
        },
      },
    );
    await expect(run).rejects.toThrowError('heartbeat failed');
  });

  it('reports divergence with the epoch and the learning rate to lower', async () => {
    const base = regressionSpec({ hiddenUnits: [32, 32, 32], epochs: 3 });
    // Past the spec schema's bound on purpose: Adam at 1e6 overflows float32 within an epoch.
    const spec: PipelineSpecOf<'mlp'> = { ...base, model: { ...base.model, learningRate: 1e6 } };
    const run = trainInThread({ spec, split, checkpointDir: inTemp('nan') });
    await expect(run).rejects.toMatchObject({
      type: 'TrainingDiverged',
      message: expect.stringMatching(/^training diverged at epoch 1 \(loss (NaN|Infinity)\); lower model.learningRate \(now 1000000\) or check the data for extreme values$/),
    });
  });
});
