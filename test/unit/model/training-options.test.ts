import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DataSplit } from '../../../src/data/types.js';
import { evaluateModel } from '../../../src/evaluation/evaluate-model.js';
import { loadTensor, type Checkpoint } from '../../../src/model/checkpoint.js';
import { createOptimizer } from '../../../src/model/mlp.js';
import { optimizers } from '../../../src/model/model-spec.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { trainInThread, type TrainResult } from '../../../src/model/trainer.js';
import type { PipelineSpecInput, PipelineSpecOf } from '../../../src/spec/schema.js';
import { classificationSpec, regressionData, regressionSpec, seededTable, splitAt } from './fixtures.js';
import { useTempDir } from './temp-dir.js';

const inTemp = useTempDir('mlops-options-');
let runs = 0;

const line = splitAt(regressionData(160), 128);

/** Trains in a fresh checkpoint folder; collects each epoch's checkpoint file. */
async function train(spec: PipelineSpecOf<'mlp'>, split: DataSplit = line, resumeFrom?: string): Promise<TrainResult & { checkpoints: string[] }> {
  const checkpoints: string[] = [];
  const result = await trainInThread(
    { spec, split, checkpointDir: inTemp(`run-${runs++}`), resumeFrom: resumeFrom ? { file: resumeFrom } : undefined },
    { onEpoch: (p) => void checkpoints.push(p.checkpointFile) },
  );
  return { ...result, checkpoints };
}

const kernels = (r: TrainResult) => r.bundle.layers.flatMap((l) => [...l.kernel, ...l.bias]);

describe('training options', () => {
  it('builds every optimizer the spec allows', () => {
    const names = optimizers.map((optimizer) => createOptimizer({ optimizer, learningRate: 0.1 }).getClassName());
    expect(names).toEqual(['Adam', 'SGD', 'Momentum', 'RMSProp', 'Adagrad']);
  });

  it('resumes an optimizer with its state exactly from a checkpoint', async () => {
    // Adam: trainer-resume.test.ts. RMSProp keeps two accumulators per weight (momentum and
    // adagrad one), all restored through the same getWeights/setWeights path.
    const spec = regressionSpec({ optimizer: 'rmsprop', epochs: 2, learningRate: 0.01 });
    const straight = await train(spec);
    const losses = straight.bundle.history.map((h) => h.loss);
    expect(losses[1]).toBeLessThan(losses[0] as number);
    const resumed = await train(spec, line, straight.checkpoints[0]);
    expect(resumed.resumedFromEpoch).toBe(1);
    const [a, b] = [kernels(straight), kernels(resumed)];
    a.forEach((w, i) => expect(Math.abs(w - (b[i] as number)), `weight ${i}`).toBeLessThan(1e-5));
  });

  it('stops early when the validation loss stops improving, keeps the best epoch, and resumes that state', async () => {
    // minDelta 100: nothing after epoch 1 counts as an improvement, so training stops after 1 + patience epochs.
    const spec = regressionSpec({ epochs: 50, earlyStopping: { patience: 2, minDelta: 100 } });
    const run = await train(spec);
    expect(run.stoppedEarly).toBe(true);
    expect(run.bundle.history).toHaveLength(3);
    expect(run.weightsEpoch).toBe(1);
    const first = JSON.parse(await readFile(run.checkpoints[0] as string, 'utf8')) as Checkpoint;
    expect(kernels(run)).toEqual(first.weights.flatMap((t) => Array.from(loadTensor(t).values)));
    // The epoch-2 checkpoint carries epoch 1's weights as the best so far.
    const second = JSON.parse(await readFile(run.checkpoints[1] as string, 'utf8')) as Checkpoint;
    expect(second.best?.epoch).toBe(1);
    const resumed = await train(spec, line, run.checkpoints[1]);
    expect(resumed).toMatchObject({ stoppedEarly: true, weightsEpoch: 1, resumedFromEpoch: 2, epochsRun: 1 });
    expect(kernels(resumed)).toEqual(kernels(run));
  });

  it('holds out model.validationSplit of the rows (seeded) and trains on the backend the spec names', async () => {
    const run = await train(regressionSpec({ epochs: 1, validationSplit: 0.25, backend: 'cpu' }));
    expect(run.rows).toEqual({ fit: 96, validation: 32 });
    expect(run.backend).toBe('cpu');
    const none = await train(regressionSpec({ epochs: 1, validationSplit: 0 }));
    expect(none.rows).toEqual({ fit: 128, validation: 0 });
    expect(none.bundle.history[0]?.valLoss).toBeUndefined();
  });

  it('balanced class weights raise the recall of a rare class', async () => {
    const data = rareClassData(400);
    const split = splitAt(data, 300);
    const spec = (model: PipelineSpecInput['model']) => classificationSpec({ hiddenUnits: [8], epochs: 8, learningRate: 0.03, ...model });
    const [plain, weighted] = await Promise.all([train(spec({}), split), train(spec({ classWeights: 'balanced' }), split)]);
    const recallOfRare = async (r: TrainResult) => {
      const { confusion } = await evaluateModel(createPredictor(r.bundle), split.test, spec({}));
      const i = confusion?.labels.indexOf('rare') ?? -1;
      const row = confusion?.counts[i] ?? [];
      return (row[i] ?? 0) / row.reduce((s, c) => s + c, 0);
    };
    expect(await recallOfRare(weighted)).toBeGreaterThan(await recallOfRare(plain));
  });

  it('is deterministic: the same data, spec and seed give the same weights and metrics; another seed does not', async () => {
    const spec = regressionSpec({ epochs: 3 });
    const [a, b, c] = await Promise.all([train(spec), train(spec), train(regressionSpec({ epochs: 3, seed: 7 }))]);
    expect(kernels(a)).toEqual(kernels(b));
    const metrics = async (r: TrainResult) => (await evaluateModel(createPredictor(r.bundle), line.test, spec)).metrics;
    expect(await metrics(a)).toEqual(await metrics(b));
    expect(kernels(c)).not.toEqual(kernels(a));
  });
});

/** Two overlapping classes, 1 in 10 rare: an unweighted model mostly predicts "common". */
function rareClassData(rows: number) {
  return seededTable(rows, 5, (r) => {
    const rare = r() < 0.1;
    return { x: (rare ? 1 : 0) + (r() - 0.5) * 1.6, shade: r() < 0.5 ? 'light' : 'dark', label: rare ? 'rare' : 'common' };
  });
}
