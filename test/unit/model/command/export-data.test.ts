/** The data export reads the ingested snapshot with DuckDB and writes what the command gets. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataEngine } from '../../../../src/data/engine.js';
import { loadSplit } from '../../../../src/data/split.js';
import { holdoutOf, takeRows } from '../../../../src/model/holdout.js';
import { exportTrainingData } from '../../../../src/model/kinds/command/export-data.js';
import { activityBench, type ActivityBench } from '../activity-fixtures.js';
import { regressionData, regressionSpec } from '../fixtures.js';

let bench: ActivityBench;
beforeAll(async () => {
  bench = await activityBench();
});
afterAll(async () => bench?.close());

describe('exportTrainingData', () => {
  it("writes the training split less the built-in trainer's holdout, and the holdout, as CSV", async () => {
    const { spec, dataset } = await bench.ingest(regressionSpec({ validationSplit: 0.2 }), regressionData(100));
    const local = await bench.deps.store.localPath(dataset);
    const exported = await exportTrainingData({ dataset: local, spec, format: 'csv', dir: bench.home });
    const split = await loadSplit({ dataset: local, spec });
    const { fit, validation } = holdoutOf(spec, split.train.rows);
    expect(exported.columns).toEqual(['y', 'x', 'color']);
    expect(exported.train.rows).toBe(fit.length);
    expect(exported.validation?.rows).toBe(validation.length);

    const csv = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n');
    const trainLines = await csv(exported.train.file);
    expect(trainLines[0]).toBe('y,x,color');
    expect(trainLines).toHaveLength(fit.length + 1);
    const expectedFit = takeRows(split.train, fit);
    const firstRow = trainLines[1]?.split(',') ?? [];
    expect(Number(firstRow[0])).toBeCloseTo(expectedFit.columns['y']?.[0] as number, 10);
    expect(firstRow[2]).toBe(expectedFit.columns['color']?.[0]);
    const validationLines = await csv(exported.validation?.file ?? '');
    const expectedHeld = takeRows(split.train, validation);
    expect(validationLines.slice(1).map((l) => l.split(',')[2])).toEqual(expectedHeld.columns['color']);
  });

  it('writes Parquet, and no validation file when validationSplit is 0', async () => {
    const { spec, dataset } = await bench.ingest(regressionSpec({ validationSplit: 0 }), regressionData(60));
    const local = await bench.deps.store.localPath(dataset);
    const dir = `${bench.home}/pq`;
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const exported = await exportTrainingData({ dataset: local, spec, format: 'parquet', dir });
    expect(exported.validation).toBeUndefined();
    const engine = await DataEngine.open();
    try {
      const rows = await engine.rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT color)::INTEGER AS colors FROM read_parquet('${exported.train.file}')`);
      expect(rows[0]).toEqual({ n: exported.train.rows, colors: 3 });
      expect(exported.train.rows).toBe((await loadSplit({ dataset: local, spec })).train.rows);
    } finally {
      engine.close();
    }
  });
});
