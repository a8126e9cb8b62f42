/** Real activity dependencies in a temp MLOPS_HOME, and ingested CSV datasets, for activity tests. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../../activities/deps.js';
import { loadConfig } from '../../../src/config.js';
import { ingestDataset } from '../../../src/data/ingest.js';
import type { DatasetRef, TabularData } from '../../../src/data/types.js';
import { createLogger } from '../../../src/logger.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import { activityDepsFor } from '../../../src/temporal/plugin.js';

export interface ActivityBench {
  readonly home: string;
  readonly deps: ActivityDeps;
  /** Writes `data` as CSV and ingests it for `spec` (whose data.source is replaced). */
  ingest(spec: PipelineSpec, data: TabularData): Promise<{ spec: PipelineSpec; dataset: DatasetRef }>;
  close(): Promise<void>;
}

export async function activityBench(): Promise<ActivityBench> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-activity-'));
  const config = loadConfig({ MLOPS_HOME: home });
  const deps = activityDepsFor({ config, baseDir: home, logger: createLogger('test', 'warn') });
  let files = 0;
  return {
    home,
    deps,
    async ingest(spec, data) {
      const file = path.join(home, `data-${files++}.csv`);
      await writeFile(file, toCsv(data));
      const withSource = { ...spec, data: { ...spec.data, source: file } };
      return { spec: withSource, dataset: await ingestDataset({ spec: withSource, baseDir: home, store: deps.store }) };
    },
    close: () => rm(home, { recursive: true, force: true }),
  };
}

/** A mock activity context as a workflow would schedule it. */
export function activityEnv(info: Partial<ConstructorParameters<typeof MockActivityEnvironment>[0]> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment({ activityId: '1', ...info });
}

function toCsv(data: TabularData): string {
  const names = Object.keys(data.columns);
  const lines = [names.join(',')];
  for (let i = 0; i < data.rows; i++) lines.push(names.map((n) => data.columns[n]?.[i] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}
