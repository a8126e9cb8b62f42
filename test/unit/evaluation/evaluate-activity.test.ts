import { ApplicationFailure } from '@temporalio/common';
import type { MockActivityEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateActivity, type EvaluateInput, type EvaluationResult } from '../../../activities/evaluate.js';
import type { DatasetRef } from '../../../src/data/types.js';
import { serializeBundle, type ModelBundle } from '../../../src/model/bundle.js';
import { trainInThread } from '../../../src/model/trainer.js';
import type { ArtifactRef } from '../../../src/registry/artifact-store.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import { activityBench, activityEnv, type ActivityBench } from '../model/activity-fixtures.js';
import { mlpSpec, regressionData, regressionSpec, splitAt } from '../model/fixtures.js';
import { trainedLikeModel } from '../model/model-fixtures.js';

let bench: ActivityBench;
let spec: PipelineSpec;
let dataset: DatasetRef;
let good: ArtifactRef;
let bad: ArtifactRef;
let version = 0;

beforeAll(async () => {
  bench = await activityBench();
  const base = regressionSpec({ epochs: 12 });
  const data = regressionData(300);
  ({ spec, dataset } = await bench.ingest({ ...base, evaluation: { ...base.evaluation, sliceBy: 'color' } }, data));
  // Inside the bench's home, so bench.close() removes the checkpoints too.
  const trained = await trainInThread({ spec: mlpSpec(spec), split: splitAt(data, 240), checkpointDir: path.join(bench.home, 'trainer-checkpoints') });
  good = await store(trained.bundle);
  bad = await store(trainedLikeModel(spec, data).bundle);
});
afterAll(async () => bench?.close());

const store = (bundle: ModelBundle) => bench.deps.store.putBytes(serializeBundle(bundle), '.model.json');
const evaluate = (input: Partial<EvaluateInput> & { bundle: ArtifactRef }, env: MockActivityEnvironment = activityEnv()) =>
  env.run(evaluateActivity(bench.deps), { spec, dataset, ...input }) as Promise<EvaluationResult>;

async function makeChampion(name: string, bundle: ArtifactRef): Promise<void> {
  const v = await bench.deps.registry.registerVersion(name, { bundle, metrics: {}, lineage: { dataset, specHash: 'x' }, idempotencyKey: `k${version++}` });
  await bench.deps.registry.setAlias(name, 'production', v.version, 'test');
}

describe('evaluate activity', () => {
  it('scores the test split next to the naive baseline, per slice, and writes the HTML report', async () => {
    const result = await evaluate({ bundle: good });
    expect(result.evaluatedOn).toBe('test');
    expect(result.rows).toBe(60);
    expect(Object.keys(result.metrics).sort()).toEqual(['mae', 'mape', 'r2', 'rmse']);
    expect(result.metrics.rmse).toBeLessThan(result.baseline.metrics.rmse as number);
    expect(result.baseline.strategy).toBe('mean');
    expect(result.objective).toEqual({ metric: 'rmse', value: result.metrics.rmse, direction: 'minimize' });
    expect(result.slices?.slices.map((s) => s.value).sort()).toEqual(['blue', 'green', 'red']);
    expect(result.reasons).toContain(`info: rmse ${Number(result.metrics.rmse?.toPrecision(4))} vs naive baseline (mean) ${Number(result.baseline.metrics.rmse?.toPrecision(4))}`);
    const html = (await bench.deps.store.readBytes(result.report as ArtifactRef)).toString();
    expect(html).toContain('<h2>Learning curves</h2>');
    expect(html).toContain('<h2>Metrics by color</h2>');
  });

  it('ranks on the validation holdout for sweeps, with any metric, and skips champion and report when asked', async () => {
    const result = await evaluate({ bundle: good, on: 'validation', metric: 'r2', compareChampion: false, report: false });
    expect(result).toMatchObject({ evaluatedOn: 'validation', rows: 24, objective: { metric: 'r2', direction: 'maximize' } });
    expect(result.report).toBeUndefined();
    const err = await evaluate({ bundle: good, metric: 'accuracy' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).message).toBe('sweep.metric "accuracy" is not computed for regression; use one of rmse, mae, r2, mape');
  });

  it('blesses a challenger better than the champion on the same test data, and rejects a worse one', async () => {
    const challenge = (name: string) => ({ ...spec, name, evaluation: { ...spec.evaluation, mustBeatChampion: true } });
    await makeChampion('weak-champion', bad);
    const better = await evaluate({ spec: challenge('weak-champion'), bundle: good });
    expect(better.blessed).toBe(true);
    expect(better.champion?.version).toBe(1);
    expect(better.reasons[0]).toMatch(/^pass: rmse [\d.]+ vs champion v1 [\d.]+ on the same test data$/);

    await makeChampion('strong-champion', good);
    const worse = await evaluate({ spec: challenge('strong-champion'), bundle: bad });
    expect(worse.blessed).toBe(false);
    expect(worse.reasons[0]).toMatch(/^FAIL: rmse [\d.]+ vs champion v1 [\d.]+ on the same test data$/);
  });

  it('goes on when the champion needs columns this data lacks, telling the reviewer', async () => {
    const { bundle } = trainedLikeModel({ ...spec, data: { ...spec.data, features: [...spec.data.features, { name: 'extra', type: 'numeric' as const }] } }, {
      rows: 2,
      columns: { x: [1, 2], color: ['red', 'blue'], extra: [1, 2], y: [1, 2] },
    });
    await makeChampion('old-features', await store(bundle));
    const result = await evaluate({ spec: { ...spec, name: 'old-features', evaluation: { ...spec.evaluation, mustBeatChampion: true } }, bundle: bad });
    expect(result.champion?.error).toMatch(/lacks the model's feature columns: extra/);
    expect(result.reasons[0]).toMatch(/^pass: champion v1 cannot be scored on this test data .*, so the comparison is skipped$/);
  });
});
