/**
 * The environment a `type: command` trainer runs with (design.md, "Any model, any trainer"):
 * the contract's MLOPS_* variables over the worker's environment, less the worker's own
 * settings and credentials (MLOPS_*, TEMPORAL_*, AWS_*), which the command has no business
 * reading. PATH, HOME, CUDA_VISIBLE_DEVICES, virtualenv variables and the like pass through.
 */

/** The variables of the contract (and MLOPS_SEED, `model.seed`, for commands that want one). */
export const contractVariables = ['MLOPS_TRAIN_DATA', 'MLOPS_VALIDATION_DATA', 'MLOPS_MODEL_DIR', 'MLOPS_CHECKPOINT_DIR', 'MLOPS_HYPERPARAMETERS', 'MLOPS_SPEC', 'MLOPS_SEED'] as const;

/** Worker variables withheld from the command: the product's settings and the credentials it holds. */
const withheld = /^(MLOPS_|TEMPORAL_|AWS_)/;

/** Where the command's inputs and outputs are. */
export interface CommandPaths {
  readonly trainData: string;
  /** Unset when there is no validation holdout. */
  readonly validationData?: string;
  readonly modelDir: string;
  readonly checkpointDir: string;
  /** A JSON file with the validated spec. */
  readonly specFile: string;
}

/** The command's whole environment. */
export function commandEnvironment(workerEnv: NodeJS.ProcessEnv, paths: CommandPaths, hyperparameters: Readonly<Record<string, unknown>>, seed: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(workerEnv)) if (!withheld.test(name) && value !== undefined) env[name] = value;
  env.MLOPS_TRAIN_DATA = paths.trainData;
  if (paths.validationData !== undefined) env.MLOPS_VALIDATION_DATA = paths.validationData;
  env.MLOPS_MODEL_DIR = paths.modelDir;
  env.MLOPS_CHECKPOINT_DIR = paths.checkpointDir;
  env.MLOPS_HYPERPARAMETERS = JSON.stringify(hyperparameters);
  env.MLOPS_SPEC = paths.specFile;
  env.MLOPS_SEED = String(seed);
  // Python buffers stdout when it is a pipe; progress lines should arrive as they are printed.
  env.PYTHONUNBUFFERED ??= '1';
  return env;
}
