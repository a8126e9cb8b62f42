/** What the activities need from the outside world; injected so tests can pass real or temp parts. */
import type { Logger } from '../src/logger.js';
import type { ArtifactStore } from '../src/registry/artifact-store.js';
import type { ModelRegistry } from '../src/registry/model-registry.js';

/** The activities' dependencies ({@link createActivities}). */
export interface ActivityDeps {
  /** Where datasets, reports and model bundles are stored. */
  readonly store: ArtifactStore;
  /** Model versions, aliases and lineage. */
  readonly registry: ModelRegistry;
  /** Scratch space for checkpoints and temp files (under MLOPS_HOME). */
  readonly workDir: string;
  /** Relative `data.source` paths resolve against this directory. */
  readonly baseDir: string;
  /** Task queue training goes to by default; unset: the workflow's own queue. */
  readonly trainingTaskQueue?: string;
  /** The queue `mlops worker --gpu` polls, for specs with `model.gpu: true`. */
  readonly gpuTaskQueue: string;
  /** Whether `model.type: command` trainers may run here (`MLOPS_ALLOW_COMMANDS=0` refuses them); absent: yes. */
  readonly allowCommands?: boolean;
  /** The activities' logger. */
  readonly logger: Logger;
  /**
   * Whether the namespace has the product's search attributes (workflows upsert them only
   * then); `detect` asks the namespace through the worker's client on first use.
   */
  readonly searchAttributes: boolean | 'detect';
}
