import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../../src/data/drift.js';
import { validateDataset } from '../../../src/data/validate.js';
import { renderDriftReport } from '../../../src/report/drift-report.js';
import { renderValidationReport } from '../../../src/report/validation-report.js';
import { pipelineSpecSchema } from '../../../src/spec/schema.js';
import { makeSpec, useTempDirs, writeParquet } from '../data/helpers.js';

const tempDir = useTempDirs();

describe('HTML reports', () => {
  it('validation: anomalies, statistics tables, reference vs current histograms, the schema', async () => {
    const dir = await tempDir();
    const spec = makeSpec({ source: 'x' });
    await writeParquet(path.join(dir, 'ref.parquet'), `SELECT (i % 10)::DOUBLE AS a, CASE WHEN i % 3 = 0 THEN 'p' ELSE 'q' END AS b, i AS y FROM range(100) t(i)`);
    await writeParquet(path.join(dir, 'cur.parquet'), `SELECT (i % 12)::DOUBLE AS a, CASE WHEN i % 2 = 0 THEN 'p' ELSE '<new>' END AS b, i AS y FROM range(100) t(i)`);
    const reference = await validateDataset({ dataset: path.join(dir, 'ref.parquet'), spec });
    const current = await validateDataset({ dataset: path.join(dir, 'cur.parquet'), spec, schema: reference.schema });
    const html = renderValidationReport({ ...current, schemaSource: 'model test-model v1', reference: reference.statistics, at: '2024-07-01T00:00:00Z' });
    for (const heading of ['Anomalies', 'Dataset', 'Numeric columns', 'Categorical columns', 'Distributions', 'Schema']) expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html).toContain('outOfRange');
    expect(html).toContain('&lt;new&gt;');
    expect(html).not.toContain('<new>');
    expect(html).toContain('schema: model test-model v1');
    // The numeric column is drawn with both series on the schema's edges.
    expect(html).toMatch(/<p class="chart-title">a \(\d+ values outside the schema&#39;s range not drawn\)<\/p><svg/);
    expect(html).toContain('>reference</text>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('drift: verdict, one row per feature with its test and score, a chart per feature', async () => {
    const dir = await tempDir();
    await writeParquet(path.join(dir, 'ref.parquet'), `SELECT i::DOUBLE AS x, 'k' || (i % 3) AS c FROM range(50) t(i)`);
    await writeParquet(path.join(dir, 'cur.parquet'), `SELECT i::DOUBLE + 40 AS x, 'k' || (i % 4) AS c FROM range(50) t(i)`);
    const settings = pipelineSpecSchema.shape.monitoring.parse(undefined).drift;
    const result = await computeDrift({ reference: 'ref.parquet', current: 'cur.parquet', baseDir: dir, settings });
    const html = renderDriftReport({ result, reference: 'ref.parquet', current: 'cur.parquet' });
    expect(html).toContain('<p class="bad">Dataset drift: 2 of 2 features drifted (100% ≥ 20%).</p>');
    expect(html).toContain('<td>Kolmogorov-Smirnov p-value</td>');
    expect(html).toContain('<td>chi-squared p-value</td>');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('&lt; 0.05');
  });
});
