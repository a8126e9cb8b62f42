/**
 * The monitoring window of `monitoring.source: inference-log`: the instances served in the last
 * `monitoring.window` (default: the interval), with their labels where `:feedback` sent one,
 * snapshotted to Parquet like ingest does. Drift reads every row; live performance scores the
 * labelled ones. All versions' traffic counts: drift is about the inputs, and live performance
 * re-scores the current and previous versions on the same labelled rows.
 */
import { durationMs } from '../shared/duration.js';
import { withEngine, type DataEngine } from '../data/engine.js';
import { readingSource } from '../data/read-error.js';
import { storeSnapshot } from '../data/store-snapshot.js';
import type { DatasetRef } from '../data/types.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { PipelineSpec } from '../spec/schema.js';
import { countServed, servedRows } from './served-rows.js';

/** Options of {@link snapshotInferenceWindow}. */
export interface InferenceWindowOptions {
  readonly spec: PipelineSpec;
  readonly store: ArtifactStore;
  readonly registry: ModelRegistry;
  /** The window's end (exclusive); its start is `monitoring.window` (or `interval`) earlier. */
  readonly now: Date;
  /** A shared engine; when left out, a fresh one is opened and closed. */
  readonly engine?: DataEngine;
}

/** The window's snapshot, or null with a warning when nothing was served in it. */
export interface InferenceWindow {
  /** Columns: `data.target` (null where no label yet), the features, and a time-split column filled with the serving time. */
  readonly dataset: DatasetRef | null;
  /** Rows with a label (what live performance scores). */
  readonly labelledRows: number;
  readonly warning?: string;
}

/** The window's start: `monitoring.window`, or the interval, before `now`. */
export function windowStart(spec: PipelineSpec, now: Date): Date {
  return new Date(now.getTime() - durationMs(spec.monitoring.window ?? spec.monitoring.interval));
}

/** Snapshots the served rows of the window ending `now`; an empty window is not an error. */
export async function snapshotInferenceWindow(opts: InferenceWindowOptions): Promise<InferenceWindow> {
  const { spec, now } = opts;
  const since = windowStart(spec, now);
  const range = `between ${since.toISOString()} and ${now.toISOString()}`;
  const served = await servedRows({ spec, store: opts.store, registry: opts.registry, since, until: now });
  if (!served) {
    return { dataset: null, labelledRows: 0, warning: `no inference-log segments of model "${spec.name}" ${range}; check that a model server serves it and ships its log to this artifact store and registry` };
  }
  return withEngine(opts.engine, async (engine) => {
    const counts = await countServed(engine, spec, served);
    if (counts.rows === 0) return { dataset: null, labelledRows: 0, warning: `the inference log of model "${spec.name}" has no predictions ${range}` };
    const dataset = await storeSnapshot(engine, `SELECT * FROM ${served.relation}`, opts.store, { guard: (copy) => readingSource(served, copy) });
    return { dataset, labelledRows: counts.labelled };
  });
}
