import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/model/checkpoint.js';
import { trainInThread } from '../../../src/model/trainer.js';
import { regressionData, regressionSpec, splitAt } from './fixtures.js';
import { useTempDir } from './temp-dir.js';

const inTemp = useTempDir('mlops-resume-');

const split = splitAt(regressionData(200), 160);
const closeTo = (a: readonly { loss: number }[], b: readonly { loss: number }[]) =>
  a.forEach((h, i) => expect(Math.abs(h.loss - (b[i]?.loss ?? NaN))).toBeLessThan(1e-4));

describe('checkpoint and resume', () => {
  let straight: Awaited<ReturnType<typeof trainInThread>>;
  let twoEpochCheckpoint = '';

  it('is reproducible: the same data and spec give the same losses', async () => {
    straight = await trainInThread({ spec: regressionSpec({ epochs: 4 }), split, checkpointDir: inTemp('straight') });
    const first = await trainInThread(
      { spec: regressionSpec({ epochs: 2 }), split, checkpointDir: inTemp('first') },
      { onEpoch: (p) => void (twoEpochCheckpoint = p.checkpointFile) },
    );
    expect(first.bundle.history).toHaveLength(2);
    closeTo(first.bundle.history, straight.bundle.history);
  });

  it('resumes from a checkpoint with the optimizer state and ends where an uninterrupted run ends', async () => {
    const epochs: number[] = [];
    const resumed = await trainInThread(
      { spec: regressionSpec({ epochs: 4 }), split, checkpointDir: inTemp('resumed'), resumeFrom: { file: twoEpochCheckpoint } },
      { onEpoch: (p) => void epochs.push(p.epoch) },
    );
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(resumed.epochsRun).toBe(2);
    expect(epochs).toEqual([3, 4]);
    expect(resumed.bundle.history).toHaveLength(4);
    closeTo(resumed.bundle.history, straight.bundle.history);
    resumed.bundle.layers.forEach((layer, i) =>
      layer.kernel.forEach((w, j) => expect(Math.abs(w - (straight.bundle.layers[i]?.kernel[j] ?? NaN))).toBeLessThan(1e-4)),
    );
  });

  it('refuses a checkpoint of another architecture, and passes thread errors through', async () => {
    const other = trainInThread({ spec: regressionSpec({ epochs: 4, hiddenUnits: [5] }), split, checkpointDir: inTemp('x'), resumeFrom: { file: twoEpochCheckpoint } });
    await expect(other).rejects.toThrowError(/checkpoint was written for model.hiddenUnits \[8\], the spec says \[5\]/);

    // Same declared architecture, tampered weights: only the thread can notice.
    const checkpoint = JSON.parse(await readFile(twoEpochCheckpoint, 'utf8')) as Checkpoint;
    const tampered = { ...checkpoint, weights: checkpoint.weights.slice(1) };
    const file = inTemp('tampered.ckpt.json');
    await writeFile(file, JSON.stringify(tampered));
    const run = trainInThread({ spec: regressionSpec({ epochs: 4 }), split, checkpointDir: inTemp('y'), resumeFrom: { file } });
    await expect(run).rejects.toMatchObject({ type: 'TrainingFailed', message: expect.stringMatching(/different network shape/) });
  });

  it('says what to do when the checkpoint file is gone', async () => {
    const run = trainInThread({ spec: regressionSpec(), split, checkpointDir: inTemp('z'), resumeFrom: { file: inTemp('nope.json') } });
    await expect(run).rejects.toThrowError(/cannot read checkpoint .*nope\.json \(ENOENT\); train again without resuming/);
  });
});
