/** Environment configuration, read once and frozen (design.md, "Environment"). */
import os from 'node:os';
import path from 'node:path';
import { MlopsError } from './errors.js';
import { loadTemporalSettings, type TemporalSettings } from './temporal/connection.js';

/** Environment configuration, read once by {@link loadConfig} and frozen. */
export interface MlopsConfig {
  /** host:port of the Temporal frontend: TEMPORAL_ADDRESS > the temporal.toml profile's address > `localhost:7233`. */
  readonly temporalAddress: string;
  /** TEMPORAL_NAMESPACE > the profile's namespace > `default`. */
  readonly namespace: string;
  /** The rest of the Temporal connection (TLS, mTLS, API key, gRPC metadata) as the Temporal CLI reads it (src/temporal/connection.ts). */
  readonly temporal: TemporalSettings;
  /** Root for artifacts, the registry, logs and the dev server's SQLite file. */
  readonly home: string;
  /** The main task queue (`MLOPS_TASK_QUEUE`, default `mlops`). */
  readonly taskQueue: string;
  /** Queue polled by `mlops worker --gpu`; training goes there only when a GPU worker is configured. */
  readonly gpuTaskQueue: string;
  /** Set when training should be routed to the GPU queue (`MLOPS_USE_GPU_QUEUE=1`). */
  readonly useGpuQueue: boolean;
  /** Trainings one worker runs at once (`MLOPS_TRAINING_SLOTS`, default: the number of cores); more wait in the task queue. */
  readonly trainingSlots: number;
  /** Other activities (data steps, checks) one worker runs at once (`MLOPS_STEP_SLOTS`, default: twice the number of cores). */
  readonly stepSlots: number;
  /**
   * Whether this worker runs `model.type: command` trainers: yes unless `MLOPS_ALLOW_COMMANDS=0`.
   * A command is the spec author's own program, so a worker whose queues untrusted people can
   * start workflows on should refuse them (design.md makes `type: command` part of the spec).
   */
  readonly allowCommands: boolean;
  /**
   * Worker Deployment Versioning: set both `MLOPS_DEPLOYMENT_NAME` and `MLOPS_BUILD_ID` to run
   * a versioned worker (trainingPipeline pinned, continuousTraining auto-upgrade).
   */
  readonly deployment?: { readonly deploymentName: string; readonly buildId: string };
  /**
   * Where artifacts live (`MLOPS_ARTIFACTS`): a folder (default `<home>/artifacts`), or an
   * S3-compatible bucket (`s3://bucket/prefix`, `MLOPS_S3_ENDPOINT` for a non-AWS endpoint).
   */
  readonly artifacts: ArtifactsLocation;
  /** Where the registry lives (`MLOPS_REGISTRY`): a folder (default `<home>/registry`) or `postgres://…`. */
  readonly registry: RegistryLocation;
  /** The file artifact store's folder: `MLOPS_ARTIFACTS` when it is a path, else `<home>/artifacts`. */
  readonly artifactsDir: string;
  /** The file registry's folder: `MLOPS_REGISTRY` when it is a path, else `<home>/registry`. */
  readonly registryDir: string;
  /** `<home>/cache`: local copies of remote artifacts, verified by hash. */
  readonly cacheDir: string;
  /** `<home>/work`: scratch space (checkpoints, temp files). */
  readonly workDir: string;
  /** `<home>/logs`: server and demo logs. */
  readonly logsDir: string;
}

/** Where artifacts live: a folder or an S3-compatible bucket. */
export type ArtifactsLocation =
  | { readonly kind: 'file'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly prefix: string;
      readonly endpoint?: string;
      readonly url: string;
      /** AWS_REGION / AWS_DEFAULT_REGION of the environment read; unset: the SDK's default. */
      readonly region?: string;
      /** AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) of the environment read; unset: the SDK's default chain (profiles, instance roles). */
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
    };

/** Where the registry lives: a folder or PostgreSQL. */
export type RegistryLocation = { readonly kind: 'file'; readonly dir: string } | { readonly kind: 'postgres'; readonly url: string };

/** Reads the configuration from an environment (default `process.env`); a bad value is a UsageError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): MlopsConfig {
  const home = path.resolve(env.MLOPS_HOME || '.mlops');
  const artifacts = artifactsLocation(env, path.join(home, 'artifacts'));
  const registry = registryLocation(env.MLOPS_REGISTRY, path.join(home, 'registry'));
  const temporal = loadTemporalSettings(env);
  return Object.freeze({
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    temporal,
    home,
    taskQueue: env.MLOPS_TASK_QUEUE || 'mlops',
    gpuTaskQueue: env.MLOPS_GPU_TASK_QUEUE || 'mlops-gpu',
    useGpuQueue: env.MLOPS_USE_GPU_QUEUE === '1' || env.MLOPS_USE_GPU_QUEUE === 'true',
    trainingSlots: slotCount(env, 'MLOPS_TRAINING_SLOTS', os.availableParallelism()),
    stepSlots: slotCount(env, 'MLOPS_STEP_SLOTS', 2 * os.availableParallelism()),
    allowCommands: !(env.MLOPS_ALLOW_COMMANDS === '0' || env.MLOPS_ALLOW_COMMANDS === 'false'),
    deployment: env.MLOPS_DEPLOYMENT_NAME && env.MLOPS_BUILD_ID ? { deploymentName: env.MLOPS_DEPLOYMENT_NAME, buildId: env.MLOPS_BUILD_ID } : undefined,
    artifacts,
    registry,
    artifactsDir: artifacts.kind === 'file' ? artifacts.dir : path.join(home, 'artifacts'),
    registryDir: registry.kind === 'file' ? registry.dir : path.join(home, 'registry'),
    cacheDir: path.join(home, 'cache'),
    workDir: path.join(home, 'work'),
    logsDir: path.join(home, 'logs'),
  });
}

function artifactsLocation(env: NodeJS.ProcessEnv, fallback: string): ArtifactsLocation {
  const value = env.MLOPS_ARTIFACTS;
  if (!value) return { kind: 'file', dir: fallback };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: 'file', dir: path.resolve(value) };
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!match) {
    throw new MlopsError('UsageError', `MLOPS_ARTIFACTS="${value}" is neither a folder nor s3://bucket/prefix (bucket: 3-63 lower case letters, digits, dots, dashes)`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return {
    kind: 's3',
    bucket: match[1]!,
    prefix,
    endpoint: env.MLOPS_S3_ENDPOINT || undefined,
    url: value,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    // The environment this config was read from decides, as for every other setting.
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
  };
}

function registryLocation(value: string | undefined, fallback: string): RegistryLocation {
  if (!value) return { kind: 'file', dir: fallback };
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', url: value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new MlopsError('UsageError', `MLOPS_REGISTRY="${withoutCredentials(value)}" is neither a folder nor a postgres://user:password@host:port/database URL`);
  }
  return { kind: 'file', dir: path.resolve(value) };
}

/** A positive whole number of slots from `env[name]`, or `fallback` when unset. */
function slotCount(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > 10_000) {
    throw new MlopsError('UsageError', `${name}="${text}" is not a number of slots: use a whole number from 1 to 10000 (default ${fallback}, this machine's cores${name === 'MLOPS_STEP_SLOTS' ? ' × 2' : ''})`);
  }
  return value;
}

/** A URL as it may be printed: any `user:password@` replaced, so a typo in the scheme does not leak the password. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
