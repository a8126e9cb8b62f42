/**
 * The pipeline spec: the one input of `trainingPipeline` and `continuousTraining`.
 * Validated once at the boundary (CLI, client, activity), then passed around as a plain,
 * JSON-serialisable object. See the README for every field.
 */
import { z } from 'zod';
import { monitoringDefaults } from '../shared/monitoring-defaults.js';
import { mlpSweepParametersSchema, modelSchema, sweepSchema, type ModelSpec, type ModelType } from '../model/model-spec.js';
import { notifySchema } from '../notify/notify-spec.js';

const featureType = z.enum(['numeric', 'categorical']);

export const featureSchema = z.strictObject({
  /** The raw column name; any characters are allowed. */
  name: z.string().min(1, 'a feature needs a non-empty "name"'),
  type: featureType,
});

const randomSplit = z.strictObject({
  method: z.literal('random'),
  test: z.number().gt(0).lt(1).default(0.2),
  seed: z.number().int().default(42),
});

const timeSplit = z.strictObject({
  method: z.literal('time'),
  column: z.string().min(1),
  test: z.number().gt(0).lt(1).default(0.2),
});

/**
 * A Parquet dataset already in the artifact store, by reference: what a retrain from production
 * traffic trains on (continuousTraining writes it), readable on any worker host through the store.
 */
export const snapshotRefSchema = z.strictObject({
  /** The artifact's URI, e.g. `file:///…/ab/ab12….parquet` or `s3://bucket/prefix/ab/ab12….parquet`. */
  uri: z.string().min(1, 'data.snapshot.uri names the artifact'),
  /** Hex SHA-256 of the content; the store verifies it on read. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'data.snapshot.sha256 is the artifact\'s hex SHA-256 (64 characters 0-9a-f)'),
  bytes: z.number().int().min(0),
});

const dataSchema = z
  .strictObject({
    /** File, directory or glob of .csv .tsv .parquet .json .ndjson files. */
    source: z.string().min(1).optional(),
    /** DuckDB SQL whose result is the dataset; an alternative to `source`. */
    query: z.string().min(1).optional(),
    /**
     * A Parquet artifact in the store (`{ uri, sha256, bytes }`); an alternative to `source` and
     * `query` that means the same on every host sharing the store.
     */
    snapshot: snapshotRefSchema.optional(),
    /**
     * A pinned data schema (JSON or YAML, as written by `mlops validate --json` under `schema`, or
     * hand-edited): validation checks against it instead of the schema kept with the model.
     */
    schema: z.string().min(1).optional(),
    target: z.string().min(1, 'data.target names the column to predict'),
    features: z.array(featureSchema).min(1, 'data.features needs at least one feature'),
    split: z.discriminatedUnion('method', [randomSplit, timeSplit]).default({ method: 'random', test: 0.2, seed: 42 }),
  })
  .refine((d) => [d.source, d.query, d.snapshot].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of data.source (a file, directory or glob), data.query (DuckDB SQL) or data.snapshot (a Parquet artifact { uri, sha256, bytes })',
  });

const bound = z.strictObject({ lower: z.number().optional(), upper: z.number().optional() });

const evaluationSchema = z.strictObject({
  /** Absolute bounds per metric, e.g. `{ rmse: { upper: 8 } }`. */
  thresholds: z.record(z.string(), bound).default({}),
  /** Compare with the current production version on the same test data. */
  mustBeatChampion: z.boolean().default(false),
  /**
   * Allowed change vs the champion per metric, e.g. `{ rmse: { relative: 0.02 } }`: the candidate
   * may be worse by at most `absolute` (metric units) and `relative` (share of the champion's
   * value); negative values demand an improvement.
   */
  changeThresholds: z.record(z.string(), z.strictObject({ absolute: z.number().optional(), relative: z.number().optional() })).default({}),
  /** Fail unless the primary metric beats the naive baseline (mean / majority class). */
  mustBeatBaseline: z.boolean().default(false),
  /** A categorical feature whose values slice the test metrics (in the result and report). */
  sliceBy: z.string().min(1).optional(),
});

const approvalSchema = z.strictObject({
  mode: z.enum(['manual', 'auto']).default('manual'),
  /** How long a manual gate waits for a reviewer, e.g. `72h`; unset waits for ever. */
  timeout: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'approval.timeout looks like 30m, 72h or 7d')
    .optional(),
  /** What happens when the timeout passes: reject, or approve when evaluation blessed the model. */
  onTimeout: z.enum(['reject', 'approve-if-blessed']).default('reject'),
});

const durationText = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'durations look like 30s, 15m, 1h or 1d');

/** The kinds of data anomaly validation reports (see src/data/anomalies.ts). */
export const anomalyKinds = [
  'emptyDataset',
  'tooFewRows',
  'missingTarget',
  'missingColumn',
  'unexpectedColumn',
  'typeMismatch',
  'missingRatio',
  'outOfRange',
  'unseenCategories',
  'nanInfinity',
  'constantColumn',
] as const;

const validationSchema = z.strictObject({
  /** Fewer rows than this is an error (`tooFewRows`); an empty dataset always is. */
  minRows: z.number().int().min(1).default(10),
  /** Share of a categorical column's values outside the schema's domain tolerated before `unseenCategories`. */
  unseenCategoryRatio: z.number().min(0).max(1).default(0.01),
  /** Share of a numeric column's values outside the schema's range tolerated before `outOfRange`. */
  outOfRangeRatio: z.number().min(0).max(1).default(0),
  /** Per anomaly kind: `error` stops the pipeline, `warning` is recorded, `off` ignores it. */
  severity: z.partialRecord(z.enum(anomalyKinds), z.enum(['error', 'warning', 'off'])).default({}),
});

/** Drift tests; `auto` chooses by type and size as Evidently does. */
export const driftMethods = ['auto', 'ks', 'chisquare', 'wasserstein', 'jensenshannon', 'psi'] as const;

const featureDriftSchema = z.strictObject({
  method: z.enum(driftMethods).optional(),
  /** The test's threshold: a p-value for ks/chisquare, a distance for the others. */
  threshold: z.number().positive().optional(),
});

const driftSchema = z.strictObject({
  /** The dataset drifted when at least this share of the features drifted. */
  threshold: z.number().gt(0).max(1).default(monitoringDefaults.driftThreshold),
  /** Distance threshold of wasserstein, jensenshannon and psi: at or above it a feature drifted. */
  distance: z.number().positive().default(monitoringDefaults.driftDistance),
  /** p-value threshold of ks and chisquare: below it a feature drifted. */
  pValue: z.number().positive().lt(1).default(monitoringDefaults.driftPValue),
  /** The test for every feature (ks and wasserstein apply to numeric features only; categorical ones stay on auto). */
  method: z.enum(driftMethods).default('auto'),
  /** Per-feature overrides, keyed by feature name. */
  features: z.record(z.string(), featureDriftSchema).default({}),
});

/** `monitoring.source` value that reads the model server's shipped inference log instead of files. */
export const inferenceLogSource = 'inference-log';

const monitoringSchema = z.strictObject({
  /**
   * What the monitor reads: a file, directory or glob of new data, or `inference-log` for the
   * instances the model servers served (flat feature columns) joined with their `:feedback`
   * labels. With `inference-log`, a retrain trains on the production version's training
   * snapshot plus the labelled served rows. (A file named `inference-log` is `./inference-log`.)
   */
  source: z.string().min(1).optional(),
  interval: durationText.default(monitoringDefaults.interval),
  /** With `source: inference-log`: how far back a check reads served rows (default: the interval). */
  window: durationText.optional(),
  drift: driftSchema.default(() => driftSchema.parse({})),
  /** Debounce: no automatic retrain sooner than this after the last one (default: the interval). */
  cooldown: durationText.optional(),
  /**
   * Monitors started together (a fleet) spread their first check over this long: each waits a
   * share of it picked from its workflow ID (the same on every replay), then keeps its own
   * rhythm. Default `0s`: a new monitor checks at once.
   */
  startJitter: durationText.default('0s'),
  /** Retrain when live performance is worse than the production model's evaluation by this share. */
  decayMargin: z.number().min(0).max(10).default(monitoringDefaults.decayMargin),
  /** After a deployment, roll back when the new version is worse live than the previous one by this share. */
  rollbackMargin: z.number().min(0).max(10).default(monitoringDefaults.rollbackMargin),
});

/** The longest model name: what `checkModelName` (the registry) and the server's path parameters allow. */
export const maxModelNameLength = 100;

/** The pipeline spec's zod schema (design.md, "Pipeline spec"); `mlops spec schema` prints it as JSON Schema. */
export const pipelineSpecSchema = z.strictObject({
  /** The model's registry name; at most 100 characters, as the registry and the server's routes accept. */
  name: z
    .string()
    .max(maxModelNameLength, `name must be at most ${maxModelNameLength} characters (the registry and the model server accept no longer names)`)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'name must match [a-z0-9][a-z0-9-]* (lower case, digits, dashes)'),
  task: z.enum(['regression', 'classification']),
  data: dataSchema,
  model: modelSchema.default(() => modelSchema.parse({})),
  evaluation: evaluationSchema.default(() => evaluationSchema.parse({})),
  approval: approvalSchema.default(() => approvalSchema.parse({})),
  validation: validationSchema.default(() => validationSchema.parse({})),
  monitoring: monitoringSchema.default(() => monitoringSchema.parse({})),
  /** A hyperparameter sweep: `hyperparameterSweep` runs it, and `trainingPipeline` trains its winner. */
  sweep: sweepSchema.optional(),
  /** Webhooks told about awaiting-approval, deployed, rejected, failed, drift, decay and rollback (src/notify/). */
  notify: notifySchema.optional(),
}).check((ctx) => {
  // What a sweep may vary depends on the trainer, known only here.
  const { model, sweep } = ctx.value;
  if (!sweep) return;
  if (model.type === 'onnx') {
    ctx.issues.push({ code: 'custom', message: 'model.type onnx is not trained here, so there is nothing to sweep: remove the sweep section', input: sweep, path: ['sweep'] });
  } else if (model.type === 'mlp') {
    const parsed = mlpSweepParametersSchema.safeParse(sweep.parameters);
    for (const issue of parsed.error?.issues ?? []) {
      const message = issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')} cannot be swept on the built-in MLP; vary one of ${Object.keys(mlpSweepParametersSchema.shape).join(', ')}` : issue.message;
      ctx.issues.push({ code: 'custom', message, input: sweep.parameters, path: ['sweep', 'parameters', ...issue.path] });
    }
  }
});

/** A spec as the user writes it (defaults may be left out). */
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
/** A validated spec with every default filled in. */
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;
/** One input feature: its column name and type. */
export type FeatureSpec = z.output<typeof featureSchema>;
/** `regression` or `classification`. */
/** A validated spec whose `model.type` is `T` (what each trainer takes). */
export type PipelineSpecOf<T extends ModelType> = PipelineSpec & { readonly model: Extract<ModelSpec, { type: T }> };
export type Task = PipelineSpec['task'];
