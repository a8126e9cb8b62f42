/**
 * Ships inference-log segments the way a model server does (src/serving/inference-log-columns.ts):
 * NDJSON rows with flat feature columns put into the artifact store, then indexed in the registry.
 */
import type { ArtifactStore } from '../../../src/registry/artifact-store.js';
import type { InferenceSegment, ModelRegistry } from '../../../src/registry/model-registry.js';
import { featureColumn } from '../../../src/serving/inference-log-columns.js';

/** A served instance: when, which request, the features by spec name, and the prediction. */
export interface Served {
  readonly at: Date;
  readonly requestId: string;
  readonly index?: number;
  readonly features: Record<string, number | string | null>;
  readonly prediction?: number | string | null;
  readonly version?: number;
}

/** A label sent to `:feedback`. */
export interface Label {
  readonly at: Date;
  readonly requestId: string;
  readonly index?: number;
  readonly label: number | string;
}

export function predictionRow(model: string, s: Served): Record<string, unknown> {
  const features = Object.fromEntries(Object.entries(s.features).map(([name, value]) => [featureColumn(name), value]));
  return { time: s.at.toISOString(), request_id: s.requestId, index: s.index ?? 0, model, version: s.version ?? 1, alias: 'production', ...features, prediction: s.prediction ?? null };
}

export function feedbackRow(model: string, l: Label): Record<string, unknown> {
  return { time: l.at.toISOString(), request_id: l.requestId, index: l.index ?? 0, model, label: l.label };
}

/** Ships one segment of `rows`; an empty segment needs `times` for its index entry. */
export async function shipSegment(
  deps: { store: ArtifactStore; registry: ModelRegistry },
  model: string,
  kind: InferenceSegment['kind'],
  rows: Record<string, unknown>[],
  times?: { firstAt: Date; lastAt: Date },
): Promise<InferenceSegment> {
  const text = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const artifact = await deps.store.putBytes(text, '.ndjson');
  const stamps = rows.map((r) => String(r['time'])).sort();
  const segment: InferenceSegment = {
    model,
    kind,
    artifact,
    rows: rows.length,
    firstAt: times?.firstAt.toISOString() ?? (stamps[0] as string),
    lastAt: times?.lastAt.toISOString() ?? (stamps.at(-1) as string),
    writer: 'test:1',
  };
  await deps.registry.addInferenceSegment(segment);
  return segment;
}

export async function shipPredictions(deps: { store: ArtifactStore; registry: ModelRegistry }, model: string, served: readonly Served[]): Promise<InferenceSegment> {
  return shipSegment(deps, model, 'predictions', served.map((s) => predictionRow(model, s)));
}

export async function shipLabels(deps: { store: ArtifactStore; registry: ModelRegistry }, model: string, labels: readonly Label[]): Promise<InferenceSegment> {
  return shipSegment(deps, model, 'feedback', labels.map((l) => feedbackRow(model, l)));
}
