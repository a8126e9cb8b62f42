/**
 * Live performance: scores registry versions on the labelled rows of the monitoring window,
 * so the monitor sees decay (production worse than at evaluation) and a bad new version
 * (worse than the one it replaced) on the same data. Rows without a label (served instances
 * whose ground truth has not arrived) are not scored.
 */
import { loadSplit } from '../src/data/split.js';
import type { DatasetRef, TabularData } from '../src/data/types.js';
import { evaluatePredictor } from '../src/model/metrics.js';
import { loadModel } from '../src/model/load-model.js';
import type { Metrics } from '../src/model/types.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface LivePerformance {
  /** Labelled rows scored. */
  readonly rows: number;
  /** Metrics per registry version, keyed by version number; empty without labelled rows. */
  readonly byVersion: Record<string, Metrics>;
}

export function livePerformanceActivity(deps: ActivityDeps) {
  return async function livePerformance(input: { spec: PipelineSpec; window: DatasetRef; versions: number[] }): Promise<LivePerformance> {
    return asFailure(async () => {
      const { spec } = input;
      if (!input.window.columns.some((c) => c.name === spec.data.target)) return { rows: 0, byVersion: {} };
      // loadSplit keeps only rows with a target: the labelled ones.
      const { train, test } = await loadSplit({ dataset: await deps.store.localPath(input.window), spec });
      const rows = concat(train, test);
      if (rows.rows === 0) return { rows: 0, byVersion: {} };
      const byVersion: Record<string, Metrics> = {};
      for (const version of input.versions) {
        const entry = await deps.registry.resolve(spec.name, { version });
        if (!entry) continue;
        const predictor = await loadModel(deps.store, entry.bundle);
        try {
          byVersion[String(version)] = await evaluatePredictor(predictor, rows, spec);
        } finally {
          await predictor.dispose?.();
        }
      }
      return { rows: rows.rows, byVersion };
    });
  };
}

function concat(a: TabularData, b: TabularData): TabularData {
  const columns: Record<string, TabularData['columns'][string]> = {};
  for (const name of Object.keys(a.columns)) columns[name] = [...(a.columns[name] ?? []), ...(b.columns[name] ?? [])];
  return { rows: a.rows + b.rows, columns };
}
