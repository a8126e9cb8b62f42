/**
 * The `model` and `sweep` sections of the pipeline spec (src/spec/schema.ts composes them).
 * Kept next to the code that trains, so a new hyperparameter is added in one folder: here,
 * in mlp.ts / train-thread.ts, and (if it can be swept) in {@link sweepParametersSchema}.
 */
import { z } from 'zod';

/** Optimizers the trainer builds (`momentum` is SGD with momentum 0.9). */
export const optimizers = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'] as const;

/** `auto` picks tensorflow (tfjs-node[-gpu]) → wasm → cpu; MLOPS_TF_BACKEND overrides `auto`. */
export const backendChoices = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

const durationText = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'durations look like 30s, 15m, 1h or 1d');

const hiddenUnits = z.array(z.number().int().positive('hidden layer sizes must be positive integers (zero units is not a layer)'));
const epochs = z.number().int().positive('model.epochs must be a positive integer').max(10_000);
const batchSize = z.number().int().positive('model.batchSize must be a positive integer');
const learningRate = z.number().positive('model.learningRate must be > 0').max(10, 'model.learningRate above 10 always diverges; try 0.001–0.1');
const seed = z.number().int();
const optimizer = z.enum(optimizers);
const weightDecay = z.number().min(0, 'model.weightDecay must be ≥ 0 (0 turns it off)').max(10, 'model.weightDecay above 10 flattens the hidden layers to zero; try 0.0001–0.1');
const validationSplit = z.number().min(0).max(0.5, 'model.validationSplit is the share of training rows held out, at most 0.5');

const earlyStopping = z.strictObject({
  /** Epochs without an improvement of `valLoss` by more than `minDelta` before training stops. */
  patience: z.number().int().positive().default(5),
  minDelta: z.number().min(0).default(0),
  /** Keep the weights of the best epoch rather than the last one. */
  restoreBest: z.boolean().default(true),
});

const classWeights = z.union([
  z.literal('balanced'),
  z.record(z.string(), z.number().positive('class weights must be > 0')),
]);

/** The built-in TensorFlow.js MLP (`model.type: mlp`, the default). */
export const mlpModelSchema = z
  .strictObject({
    /** Left out, it is `mlp`: specs written before `model.type` existed mean this trainer. */
    type: z.literal('mlp').default('mlp'),
    hiddenUnits: hiddenUnits.default([64, 64]),
    /**
     * Passes over the training rows. Left out, it is a budget adapted to the data (about 2,000
     * gradient steps, 20 to 200 epochs) and, unless `earlyStopping` is set, early stopping ends
     * training when the validation loss stops improving; see ./effective-model.ts. Set, training
     * runs exactly that many epochs (fewer only with `earlyStopping`).
     */
    epochs: epochs.optional(),
    /**
     * Rows per gradient step. Left out, it adapts to the data: about 64 steps per epoch, 32 to
     * 256 rows (all fitted rows when there are fewer); see ./effective-model.ts. Set, it is a
     * promise and a larger value than the data can fill is refused.
     */
    batchSize: batchSize.optional(),
    learningRate: learningRate.default(0.001),
    /**
     * L2 penalty `weightDecay × Σ w²` on the hidden layers' kernels, added to the mean training
     * loss (so `loss` includes it; `valLoss` does not). Left out, it is 16 ÷ the rows fitted on:
     * strong on a few hundred rows, 0 from 25,600 rows on; see ./effective-model.ts. 0 turns it off.
     */
    weightDecay: weightDecay.optional(),
    /** Seeds weight initialisation and the per-epoch shuffle. */
    seed: seed.default(42),
    optimizer: optimizer.default('adam'),
    /** Share of the training rows held out (seeded) to report `valLoss` and drive early stopping. */
    validationSplit: validationSplit.default(0.1),
    /** Left out with `epochs` also left out: on, patience a tenth of the epoch budget (see ./effective-model.ts). */
    earlyStopping: earlyStopping.optional(),
    /** Classification only: `balanced` (n / (classes × count)) or a weight per class label. */
    classWeights: classWeights.optional(),
    backend: z.enum(backendChoices).default('auto'),
    /** Route training to the GPU task queue (MLOPS_GPU_TASK_QUEUE), served by `mlops worker --gpu`. */
    gpu: z.boolean().default(false),
    /** How soon a dead training worker is noticed and the activity retried from its checkpoint. Default 2m. */
    heartbeatTimeout: durationText.optional(),
  })
  .refine((m) => m.earlyStopping === undefined || m.validationSplit > 0, {
    message: 'model.earlyStopping watches the validation loss: set model.validationSplit above 0 (e.g. 0.1)',
    path: ['earlyStopping'],
  });

/** Class labels in the order of a classifier's probability outputs, when the model carries none. */
const classLabels = z
  .array(z.string().min(1, 'class labels are non-empty strings'))
  .min(2, 'model.classes lists at least two labels, in the order of the probability outputs')
  .refine((labels) => new Set(labels).size === labels.length, 'model.classes lists each label once');

/** A JSON value (what `model.hyperparameters` may hold). */
const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

/**
 * The user's own training program (`model.type: command`): any language, run by the train
 * activity with the environment contract in the README. `command` runs in the spec file's
 * folder (recorded as `workDir` when the spec file is read), so relative paths in it resolve there.
 */
export const commandModelSchema = z.strictObject({
  type: z.literal('command'),
  /** argv; the first entry is the program (looked up on PATH, or relative to the spec file's folder). */
  command: z.array(z.string().min(1, 'model.command entries are non-empty strings')).min(1, 'model.command is the argv to run, e.g. [python3, train.py]'),
  /** Handed to the command as MLOPS_HYPERPARAMETERS; a sweep's `parameters` vary its keys. */
  hyperparameters: z.record(z.string(), json).default({}),
  /** The format of the training and validation files handed to the command. */
  dataFormat: z.enum(['parquet', 'csv']).default('parquet'),
  /** One attempt's start-to-close timeout. */
  timeout: durationText.default('2h'),
  /** Classification only: labels of the probability outputs, when the model carries none. */
  classes: classLabels.optional(),
  /** Share of the training rows held out (seeded) and handed over as MLOPS_VALIDATION_DATA. */
  validationSplit: validationSplit.default(0.1),
  /** Seeds the command (MLOPS_SEED) and random sweeps. */
  seed: seed.default(42),
  /** Route training to the GPU task queue (MLOPS_GPU_TASK_QUEUE), served by `mlops worker --gpu`. */
  gpu: z.boolean().default(false),
  /** How soon a dead training worker is noticed and the activity retried. Default 2m. */
  heartbeatTimeout: durationText.optional(),
  /**
   * The spec file's folder, where `command` runs; set when the spec is read from a file
   * (see resolveSpecPaths), else the worker's working directory.
   */
  workDir: z.string().optional(),
});

/**
 * A model trained elsewhere (`model.type: onnx`): imported, then evaluated, gated, approved,
 * served and monitored like any other. Training is skipped.
 */
export const onnxModelSchema = z.strictObject({
  type: z.literal('onnx'),
  /** The `.onnx` file: a path (relative to the spec file; made absolute when the spec file is read) or an artifact URI. */
  uri: z.string().min(1, 'model.uri names the .onnx file: a path or an artifact URI'),
  /** Classification only: labels of the probability outputs, when the model carries none. */
  classes: classLabels.optional(),
});

/** The trainers `model.type` may name. */
export const modelTypes = ['mlp', 'command', 'onnx'] as const;
export type ModelType = (typeof modelTypes)[number];

/**
 * The `model` section: a union on `type`. A missing `type` means `mlp` (the default of the MLP's
 * `type`), so every spec written before `model.type` existed (and every recorded history) still
 * parses as it did.
 */
export const modelSchema = z.discriminatedUnion('type', [mlpModelSchema, commandModelSchema, onnxModelSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? `model.type must be one of ${modelTypes.join(', ')} (default mlp)` : undefined),
});

export type MlpModelSpec = z.output<typeof mlpModelSchema>;
export type CommandModelSpec = z.output<typeof commandModelSchema>;
export type OnnxModelSpec = z.output<typeof onnxModelSchema>;
/** A validated `model` section, whichever trainer it names. */
export type ModelSpec = MlpModelSpec | CommandModelSpec | OnnxModelSpec;

/** The share of training rows held out for validation: none for a model trained elsewhere. */
export function validationSplitOf(model: ModelSpec): number {
  return model.type === 'onnx' ? 0 : model.validationSplit;
}

/** MLP fields that are run settings rather than hyperparameters (left out of lineage and sweeps). */
export const operationalModelFields = ['backend', 'gpu', 'heartbeatTimeout'] as const;

/** The built-in MLP's hyperparameters: what a sweep varies and lineage records. */
export type MlpHyperparameters = Omit<MlpModelSpec, 'type' | (typeof operationalModelFields)[number]>;

/** A model's hyperparameters as lineage records them: the MLP's fields, a command's `hyperparameters`, none for ONNX. */
export type Hyperparameters = MlpHyperparameters | Record<string, unknown>;

export function hyperparametersOf(model: ModelSpec): Hyperparameters {
  switch (model.type) {
    case 'mlp': {
      const { type: _t, backend: _b, gpu: _g, heartbeatTimeout: _h, ...rest } = model;
      return rest;
    }
    case 'command':
      return { ...model.hyperparameters };
    case 'onnx':
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// sweep

const values = <T extends z.ZodType>(field: T) => z.array(field).min(1, 'list at least one value');

/** A numeric interval for random search; `log` samples evenly in log space (learning rates). */
function range(field: z.ZodNumber, integer: boolean) {
  return z
    .strictObject({
      min: z.number(),
      max: z.number(),
      scale: z.enum(['linear', 'log']).default('linear'),
      /** Set for integer fields (epochs, batchSize): samples are rounded. */
      integer: z.literal(integer).default(integer),
    })
    .check((ctx) => {
      const r = ctx.value;
      if (r.max < r.min) ctx.issues.push({ code: 'custom', message: `max (${r.max}) is below min (${r.min})`, input: r });
      if (r.scale === 'log' && r.min <= 0) ctx.issues.push({ code: 'custom', message: 'scale: log needs min > 0', input: r });
      for (const end of ['min', 'max'] as const) {
        const parsed = field.safeParse(integer ? Math.round(r[end]) : r[end]);
        if (!parsed.success) ctx.issues.push({ code: 'custom', message: `${end}: ${parsed.error.issues[0]?.message ?? 'out of range'}`, input: r });
      }
    });
}

const numeric = (field: z.ZodNumber, integer = false) =>
  z
    .union([values(field), range(field, integer)], {
      // Say what is wrong with the shape the user chose, not that neither shape matched.
      error: (issue) => {
        const errors = (issue as { errors?: { path: PropertyKey[]; message: string }[][] }).errors;
        const first = errors?.[Array.isArray(issue.input) ? 0 : 1]?.[0];
        if (!first) return 'give a list of values or a range { min, max, scale? }';
        return first.path.length > 0 ? `${first.path.join('.')}: ${first.message}` : first.message;
      },
    })
    .optional();

/** What a sweep may vary on the built-in MLP: lists of values (grid or random) or, for numbers, ranges (random only). */
export const mlpSweepParametersSchema = z.strictObject({
  hiddenUnits: values(hiddenUnits).optional(),
  epochs: numeric(epochs, true),
  batchSize: numeric(batchSize, true),
  learningRate: numeric(learningRate),
  weightDecay: numeric(weightDecay),
  validationSplit: numeric(validationSplit),
  optimizer: values(optimizer).optional(),
  seed: values(seed).optional(),
  earlyStopping: values(earlyStopping).optional(),
  classWeights: values(classWeights).optional(),
});

/** A command's hyperparameter: a list of JSON values or a numeric range (`integer: true` rounds samples). */
const hyperparameterSpace = z.union(
  [
    values(json),
    z
      .strictObject({ min: z.number(), max: z.number(), scale: z.enum(['linear', 'log']).default('linear'), integer: z.boolean().optional() })
      .refine((r) => r.max >= r.min, 'max is below min')
      .refine((r) => r.scale !== 'log' || r.min > 0, 'scale: log needs min > 0'),
  ],
  { error: () => 'give a list of values or a range { min, max, scale?, integer? }' },
);

/**
 * What a sweep may vary: for `model.type: mlp` the MLP's fields ({@link mlpSweepParametersSchema});
 * for `model.type: command` any keys of `model.hyperparameters`. The pipeline spec checks which
 * applies once it knows `model.type`.
 */
export const sweepParametersSchema = z.union([mlpSweepParametersSchema, z.record(z.string(), hyperparameterSpace)]);

export type SweepParameters = z.output<typeof sweepParametersSchema>;

/** Grid searches larger than this are refused: narrow the lists or use method: random. */
export const MAX_GRID_TRIALS = 1000;

export const sweepSchema = z
  .strictObject({
    /** `grid` runs every combination of the listed values; `random` draws `trials` seeded samples. */
    method: z.enum(['grid', 'random']).default('grid'),
    parameters: sweepParametersSchema.refine((p) => Object.values(p).some((v) => v !== undefined), {
      message: 'sweep.parameters names no model field to vary, e.g. { learningRate: [0.001, 0.01] }',
    }),
    /** Random search: how many trials (default 10). Grid search runs every combination. */
    trials: z.number().int().positive().max(MAX_GRID_TRIALS).optional(),
    /** Trials running at once. */
    concurrency: z.number().int().positive().max(64).default(2),
    /** The metric that ranks trials; default rmse (regression) or accuracy (classification). */
    metric: z.string().min(1).optional(),
    /** Seeds random search; default model.seed. */
    seed: z.number().int().optional(),
  })
  .check((ctx) => {
    const s = ctx.value;
    if (s.method !== 'grid') return;
    const ranged = Object.entries(s.parameters).filter(([, v]) => v !== undefined && !Array.isArray(v));
    for (const [name] of ranged) {
      ctx.issues.push({ code: 'custom', message: `sweep.parameters.${name} is a range, which only method: random can sample; list values for a grid`, input: s, path: ['parameters', name] });
    }
    if (s.trials !== undefined) {
      ctx.issues.push({ code: 'custom', message: 'sweep.trials applies to method: random; a grid runs every combination', input: s, path: ['trials'] });
    }
    const combos = Object.values(s.parameters).reduce<number>((n, v) => n * (Array.isArray(v) ? v.length : 1), 1);
    if (combos > MAX_GRID_TRIALS) {
      ctx.issues.push({ code: 'custom', message: `the grid has ${combos} combinations (at most ${MAX_GRID_TRIALS}); list fewer values or use method: random`, input: s, path: ['parameters'] });
    }
  });

export type SweepSpec = z.output<typeof sweepSchema>;
export type SweepSpecInput = z.input<typeof sweepSchema>;
