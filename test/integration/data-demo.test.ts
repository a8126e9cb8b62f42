/** The taxi demo's data drifts the way its generator says: the last month against the first. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { computeDrift, specDriftFeatures } from '../../src/data/drift.js';
import { validateDataset } from '../../src/data/validate.js';
import { loadSpecFile } from '../../src/spec/parse.js';
import type { PipelineSpec } from '../../src/spec/schema.js';

describe('the taxi demo data', () => {
  let dir: string;
  let spec: PipelineSpec;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-data-demo-'));
    spec = await loadSpecFile(path.resolve('examples/taxi/spec.yaml'));
    await generateTrips({ outDir: path.join(dir, 'a'), months: 6, rowsPerMonth: 3000, seed: 42 });
    await generateTrips({ outDir: path.join(dir, 'b'), months: 1, rowsPerMonth: 3000, seed: 7 });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const drift = (reference: string, current: string) =>
    computeDrift({ reference, current, baseDir: dir, features: specDriftFeatures(spec), settings: spec.monitoring.drift });

  it('drifts between its first and last months: longer trips, more airport pickups', async () => {
    const result = await drift('a/trips-2024-01.parquet', 'a/trips-2024-06.parquet');
    expect(result.datasetDrift).toBe(true);
    const byName = new Map(result.features.map((f) => [f.feature, f]));
    expect(byName.get('trip_distance')).toMatchObject({ test: 'wasserstein', drifted: true });
    expect(byName.get('PULocationID')?.test).toBe('jensenshannon');
    expect(byName.get('PULocationID')?.score).toBeGreaterThan(0.05);
    expect(result.features.every((f) => Number.isFinite(f.score))).toBe(true);
  });

  it('does not drift between two samples of the same month', async () => {
    const result = await drift('a/trips-2024-01.parquet', 'b/trips-2024-01.parquet');
    expect(result.features.filter((f) => f.drifted)).toEqual([]);
    expect(result.datasetDrift).toBe(false);
  });

  it("the last month passes validation against the first month's schema, with range warnings only", async () => {
    const first = await validateDataset({ dataset: path.join(dir, 'a/trips-2024-01.parquet'), spec });
    expect(first.anomalies).toEqual([]);
    const last = await validateDataset({ dataset: path.join(dir, 'a/trips-2024-06.parquet'), spec, schema: first.schema });
    expect(last.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
    expect(last.anomalies.map((a) => a.kind)).toContain('outOfRange');
  });
});
