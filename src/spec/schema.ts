/**
 * The pipeline spec: the one input of `trainingPipeline` and `continuousTraining`.
 * Validated once at the boundary (CLI, client, activity), then passed around as a plain,
 * JSON-serialisable object. See the README for every field.
 */
import { z } from 'zod';

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

const dataSchema = z
  .strictObject({
    /** File, directory or glob of .csv .tsv .parquet .json .ndjson files. */
    source: z.string().min(1).optional(),
    /** DuckDB SQL whose result is the dataset; an alternative to `source`. */
    query: z.string().min(1).optional(),
    target: z.string().min(1, 'data.target names the column to predict'),
    features: z.array(featureSchema).min(1, 'data.features needs at least one feature'),
    split: z.discriminatedUnion('method', [randomSplit, timeSplit]).default({ method: 'random', test: 0.2, seed: 42 }),
  })
  .refine((d) => (d.source === undefined) !== (d.query === undefined), {
    message: 'give exactly one of data.source (a file, directory or glob) or data.query (DuckDB SQL)',
  });

const modelSchema = z.strictObject({
  hiddenUnits: z.array(z.number().int().positive('hidden layer sizes must be positive integers')).default([64, 64]),
  epochs: z.number().int().positive().max(10_000).default(20),
  batchSize: z.number().int().positive().default(256),
  learningRate: z.number().positive('model.learningRate must be > 0').max(10).default(0.001),
  seed: z.number().int().default(42),
});

const bound = z.strictObject({ lower: z.number().optional(), upper: z.number().optional() });

const evaluationSchema = z.strictObject({
  /** Absolute bounds per metric, e.g. `{ rmse: { upper: 8 } }`. */
  thresholds: z.record(z.string(), bound).default({}),
  /** Compare with the current production version on the same test data. */
  mustBeatChampion: z.boolean().default(false),
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

const monitoringSchema = z.strictObject({
  source: z.string().min(1).optional(),
  interval: durationText.default('1h'),
  drift: z.strictObject({ threshold: z.number().positive().default(0.2) }).default({ threshold: 0.2 }),
  /** Debounce: no automatic retrain sooner than this after the last one (default: the interval). */
  cooldown: durationText.optional(),
  /** Retrain when live performance is worse than the production model's evaluation by this share. */
  decayMargin: z.number().min(0).max(10).default(0.2),
  /** After a deployment, roll back when the new version is worse live than the previous one by this share. */
  rollbackMargin: z.number().min(0).max(10).default(0.1),
});

export const pipelineSpecSchema = z.strictObject({
  /** The model's registry name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'name must match [a-z0-9][a-z0-9-]* (lower case, digits, dashes)'),
  task: z.enum(['regression', 'classification']),
  data: dataSchema,
  model: modelSchema.default(() => modelSchema.parse({})),
  evaluation: evaluationSchema.default(() => evaluationSchema.parse({})),
  approval: approvalSchema.default(() => approvalSchema.parse({})),
  monitoring: monitoringSchema.default(() => monitoringSchema.parse({})),
});

/** A spec as the user writes it (defaults may be left out). */
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
/** A validated spec with every default filled in. */
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;
export type FeatureSpec = z.output<typeof featureSchema>;
export type Task = PipelineSpec['task'];
