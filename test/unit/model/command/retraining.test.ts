/** Continuous training retrains with the trainer the spec names: a command spec reaches the child pipeline unchanged. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainingSpecActivity } from '../../../../activities/retraining-spec.js';
import { parseSpec } from '../../../../src/spec/parse.js';
import { activityBench, activityEnv, type ActivityBench } from '../activity-fixtures.js';
import { regressionData, regressionSpec } from '../fixtures.js';

let bench: ActivityBench;
beforeAll(async () => {
  bench = await activityBench();
});
afterAll(async () => bench?.close());

describe('retraining a command-trained model', () => {
  it('keeps model.type command, its argv, hyperparameters and folder in the retraining spec', async () => {
    const { spec: ingested } = await bench.ingest(regressionSpec(), regressionData(30));
    const incoming = path.join(bench.home, 'incoming.csv');
    await writeFile(incoming, 'x,color,y\n0.5,red,3.5\n');
    const model = { type: 'command', command: ['python3', 'train.py', '--fast'], workDir: '/srv/models/line', hyperparameters: { lr: 0.1 }, dataFormat: 'csv' };
    const spec = parseSpec({ ...ingested, model, monitoring: { source: incoming, interval: '1h' } }, 'test');

    const retrain = (await activityEnv().run(retrainingSpecActivity(bench.deps), spec)) as typeof spec;
    // It retrains on the accumulated data…
    expect(retrain.data.query).toContain(path.basename(incoming));
    // …with the same trainer, as the child pipeline's prepareSpec sees it (JSON through Temporal, parsed again).
    const child = parseSpec(JSON.parse(JSON.stringify(retrain)), 'child workflow input');
    expect(child.model).toEqual(spec.model);
    expect(child.model).toMatchObject(model);
  });
});
