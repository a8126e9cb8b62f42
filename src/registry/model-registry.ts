/**
 * The model registry: per model name, immutable numbered versions, movable aliases
 * (`production`, `staging`, any label), mutable tags, and an audit history of every alias
 * move (who promoted, deployed or rolled back what, when, why). It also indexes the inference
 * log's shipped segments, so a monitor on any host finds what the model servers served.
 *
 * {@link ModelRegistry} holds the rules; a backend supplies reads and one transactional
 * read-modify-write of a model's document: {@link FileModelRegistry} (./file-registry.ts, the
 * default) or the PostgreSQL registry (./postgres-registry.ts, `MLOPS_REGISTRY=postgres://…`).
 */
import { MlopsError } from '../errors.js';
import type { Metrics } from '../model/types.js';
import type { ArtifactRef } from './artifact-store.js';
import type { MonitorCheckRecord, RunQuery, RunRecord } from './run-record.js';

/**
 * Where a version came from: enough to reproduce it. Open for more fields (code version,
 * hyperparameters, epochs, seeds, ...): whatever the deploy step is handed is kept.
 */
export interface Lineage {
  /** The dataset the model was trained and evaluated on. */
  readonly dataset: ArtifactRef;
  /** Hash of the pipeline spec that produced it. */
  readonly specHash: string;
  readonly workflowId?: string;
  readonly runId?: string;
  /** TensorFlow.js backend that trained it. */
  readonly backend?: string;
  readonly hyperparameters?: Record<string, unknown>;
  /** E.g. a git commit or package version of the training code. */
  readonly codeVersion?: string;
  readonly epochs?: number;
  readonly [extra: string]: unknown;
}

/** Who let a version into production, and when. */
export interface ApprovalRecord {
  readonly decision: 'approved' | 'auto-approved';
  readonly reviewer: string;
  readonly comment?: string;
  /** ISO-8601 time of the decision. */
  readonly at: string;
  /** The workflow that waited for the decision. */
  readonly workflowId?: string;
}

/** Free-form key → value labels on a version (e.g. `{ "dataset": "2024-05" }`). */
export type Tags = Record<string, string>;

/** One registered version of a model. */
export interface ModelVersion {
  /** 1, 2, 3, ... per model; never reused. */
  readonly version: number;
  /** The model bundle (what serving loads). */
  readonly bundle: ArtifactRef;
  /** Evaluation metrics on the held-out split. */
  readonly metrics: Metrics;
  readonly lineage: Lineage;
  readonly approval?: ApprovalRecord;
  /** The data schema the model was trained against (read by data validation). */
  readonly schema?: ArtifactRef;
  /** Dataset statistics of the training data (the drift reference). */
  readonly statistics?: ArtifactRef;
  /** A human-readable evaluation or validation report. */
  readonly report?: ArtifactRef;
  /** The only mutable part of a version; see {@link ModelRegistry.setTags}. */
  readonly tags?: Tags;
  /** ISO-8601 time of registration. */
  readonly createdAt: string;
  /** A retried or duplicated deploy with the same key returns the existing version. */
  readonly idempotencyKey: string;
}

/** What moved an alias: a deploy by a pipeline, a manual promote, or a rollback. */
export type AliasAction = 'deploy' | 'promote' | 'rollback' | 'remove';

/** One entry of the audit history: an alias moved from one version to another. */
export interface AliasEvent {
  readonly alias: string;
  /** Where the alias pointed before; null when it was new. */
  readonly from: number | null;
  /** Where it points now; null when the alias was removed. */
  readonly to: number | null;
  /** Absent in documents written before actions were recorded (read as `promote`). */
  readonly action?: AliasAction;
  readonly actor: string;
  /** ISO-8601 time of the move. */
  readonly at: string;
  readonly reason?: string;
}

/** A model's whole registry document. */
export interface RegisteredModel {
  readonly name: string;
  readonly versions: ModelVersion[];
  readonly aliases: Record<string, number>;
  readonly history: AliasEvent[];
}

/** What registering a version takes. */
export type NewVersion = Omit<ModelVersion, 'version' | 'createdAt'>;

/** Who moves an alias and why, for the history. */
export interface AliasChange {
  readonly actor: string;
  readonly reason?: string;
  /** Default `promote`; `rollback` for a move back to an earlier version chosen by the caller. */
  readonly action?: Exclude<AliasAction, 'remove'>;
}

const modelName = /^[a-z0-9][a-z0-9-]*$/;
/** Letters first, so an alias never looks like a version number or a reserved key. */
const aliasName = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const tagKey = /^[A-Za-z0-9_.:/-]{1,100}$/;

/** Throws BadRequest unless `name` is a valid model name (also guards paths against `../`). */
export function checkModelName(name: string): void {
  if (!modelName.test(name) || name.length > 100) {
    throw new MlopsError('BadRequest', `"${name}" is not a model name: use lower case letters, digits and dashes ([a-z0-9][a-z0-9-]*)`);
  }
}

/** Throws BadRequest unless `alias` is a valid alias (label) name. */
export function checkAliasName(alias: string): void {
  if (!aliasName.test(alias)) {
    throw new MlopsError('BadRequest', `"${alias}" is not an alias: start with a letter, then letters, digits, "_", "." or "-" (at most 63), e.g. "production" or "canary-2"`);
  }
}

/**
 * One closed file of the model server's inference log, shipped to the artifact store. Rows
 * are NDJSON with flat feature columns (src/serving/inference-log.ts says the row format).
 */
export interface InferenceSegment {
  readonly model: string;
  readonly kind: 'predictions' | 'feedback';
  readonly artifact: ArtifactRef;
  readonly rows: number;
  /** ISO-8601 times of the segment's first and last row. */
  readonly firstAt: string;
  readonly lastAt: string;
  /** Which server wrote it (`host:pid`), for people reading the index. */
  readonly writer?: string;
}

/** Which segments {@link ModelRegistry.listInferenceSegments} returns. */
export interface SegmentQuery {
  readonly kind?: InferenceSegment['kind'];
  /** Only segments whose last row is at or after this ISO-8601 time. */
  readonly since?: string;
}

/** The model registry: versions, aliases (`production`, …), lineage and approvals. Implementations: {@link FileModelRegistry} and the PostgreSQL registry (`MLOPS_REGISTRY=postgres://…`). */
export abstract class ModelRegistry {
  /** Names of every registered model, sorted. */
  abstract listModels(): Promise<string[]>;

  /** A model's whole document; undefined when there is none. */
  abstract getModel(name: string): Promise<RegisteredModel | undefined>;

  /** Records a shipped inference-log segment; recording the same artifact twice is a no-op. */
  abstract addInferenceSegment(segment: InferenceSegment): Promise<void>;

  /** A model's shipped inference-log segments, oldest first. */
  abstract listInferenceSegments(model: string, query?: SegmentQuery): Promise<InferenceSegment[]>;

  /** Every run and trial of a model, or of all models, newest first (./run-record.ts). */
  abstract listRuns(query?: RunQuery): Promise<RunRecord[]>;

  /** One run or trial by its id; undefined when unknown. */
  abstract getRun(id: string): Promise<RunRecord | undefined>;

  /** A model's monitor checks, oldest first; `limit` keeps the newest that many. */
  abstract listMonitorChecks(model: string, query?: { readonly limit?: number }): Promise<MonitorCheckRecord[]>;

  /** Stores a run record, replacing the one with the same id. */
  protected abstract writeRun(run: RunRecord): Promise<void>;

  /** Stores a check unless one of the same monitor run at the same time is there. */
  protected abstract writeMonitorCheck(check: MonitorCheckRecord): Promise<void>;

  /** Records a run or trial as it starts, waits or ends; the same `id` again replaces it. */
  async saveRun(run: RunRecord): Promise<void> {
    checkModelName(run.model);
    if (!run.id || run.id.length > 1000) throw new MlopsError('BadRequest', 'a run record needs an id of at most 1000 characters (<workflowId>/<runId>)');
    checkTime(run.startedAt, 'startedAt');
    if (run.endedAt !== undefined) checkTime(run.endedAt, 'endedAt');
    await this.writeRun(run);
  }

  /** Records one continuousTraining check; recording it twice (a retried activity) keeps one. */
  async addMonitorCheck(check: MonitorCheckRecord): Promise<void> {
    checkModelName(check.model);
    checkTime(check.at, 'the check\'s "at"');
    await this.writeMonitorCheck(check);
  }

  /** Releases connections (a no-op for files). */
  async close(): Promise<void> {}

  /**
   * Calls `listener` with a model's name soon after its aliases move, in this or any other
   * process, until the returned unsubscribe function is called. A backend that cannot notify
   * (the file registry) never calls it, so a follower that must see every move also polls.
   */
  async watch(_listener: (model: string) => void): Promise<() => Promise<void>> {
    return async () => {};
  }

  /**
   * Runs `change` on the model's current document (a new empty one when absent) and stores
   * the result, atomically with respect to every other writer on any host. A throw stores
   * nothing.
   */
  protected abstract update<T>(name: string, change: (model: RegisteredModel) => T): Promise<T>;

  /** Like {@link getModel}, but a missing model is a ModelNotFound error. */
  async requireModel(name: string): Promise<RegisteredModel> {
    const model = await this.getModel(name);
    if (!model) throw new MlopsError('ModelNotFound', `no model named "${name}" in the registry; "mlops models" lists them`);
    return model;
  }

  /** The version an alias points to, or a given version; undefined when there is none. */
  async resolve(name: string, ref: { version?: number; alias?: string } = { alias: 'production' }): Promise<ModelVersion | undefined> {
    const model = await this.getModel(name);
    if (!model) return undefined;
    const version = ref.version ?? (ref.alias !== undefined && Object.hasOwn(model.aliases, ref.alias) ? model.aliases[ref.alias] : undefined);
    return model.versions.find((v) => v.version === version);
  }

  /** Adds the next version; idempotent on `idempotencyKey`. */
  async registerVersion(name: string, input: NewVersion): Promise<ModelVersion> {
    if (input.tags) checkTags(input.tags);
    return this.update(name, (model) => {
      const existing = model.versions.find((v) => v.idempotencyKey === input.idempotencyKey);
      if (existing) return existing;
      const version: ModelVersion = {
        ...input,
        version: (model.versions.at(-1)?.version ?? 0) + 1,
        createdAt: new Date().toISOString(),
      };
      model.versions.push(version);
      return version;
    });
  }

  /**
   * Points `alias` at `version`, recording who moved it and why. Moving an alias to where it
   * already points records nothing and returns undefined.
   */
  async setAlias(name: string, alias: string, version: number, change: AliasChange | string, reason?: string): Promise<AliasEvent | undefined> {
    const { actor, reason: why, action } = typeof change === 'string' ? { actor: change, reason, action: undefined } : change;
    checkAliasName(alias);
    return this.update(name, (model) => {
      requireVersion(model, version);
      const from = current(model, alias);
      if (from === version) return undefined;
      return move(model, { alias, from, to: version, action: action ?? 'promote', actor, at: new Date().toISOString(), reason: why });
    });
  }

  /** Removes an alias (e.g. a finished canary); the versions stay. */
  async removeAlias(name: string, alias: string, actor: string, reason?: string): Promise<AliasEvent> {
    checkAliasName(alias);
    return this.update(name, (model) => {
      const from = current(model, alias);
      if (from === null) throw new MlopsError('ModelNotFound', `model "${name}" has no alias "${alias}" (aliases: ${Object.keys(model.aliases).join(', ') || 'none'})`);
      return move(model, { alias, from, to: null, action: 'remove', actor, at: new Date().toISOString(), reason });
    });
  }

  /**
   * Points `alias` (default `production`) back at the version it pointed to before the
   * current one, as recorded in the history. Rolling back twice goes two steps back, not
   * back and forth: a rollback undoes the move it reverts.
   */
  async rollback(name: string, options: { actor: string; reason?: string; alias?: string }): Promise<AliasEvent> {
    const alias = options.alias ?? 'production';
    checkAliasName(alias);
    return this.update(name, (model) => {
      const from = current(model, alias);
      const target = previousVersion(model, alias);
      if (from === null || target === undefined) {
        throw new MlopsError('UsageError', `model "${name}" has no earlier ${alias} version to roll back to; point the alias at a version with "mlops promote ${name} VERSION --alias ${alias}"`);
      }
      return move(model, { alias, from, to: target, action: 'rollback', actor: options.actor, at: new Date().toISOString(), reason: options.reason });
    });
  }

  /** Sets tags on a version; a `null` value deletes that tag. Returns the version's tags. */
  async setTags(name: string, version: number, tags: Record<string, string | null>): Promise<Tags> {
    checkTags(tags);
    return this.update(name, (model) => {
      const index = model.versions.findIndex((v) => v.version === version);
      const entry = requireVersion(model, version);
      const next: Tags = { ...entry.tags };
      for (const [key, value] of Object.entries(tags)) {
        if (value === null) delete next[key];
        else next[key] = value;
      }
      model.versions[index] = { ...entry, tags: next };
      return next;
    });
  }
}

function current(model: RegisteredModel, alias: string): number | null {
  return Object.hasOwn(model.aliases, alias) ? (model.aliases[alias] ?? null) : null;
}

function requireVersion(model: RegisteredModel, version: number): ModelVersion {
  const found = model.versions.find((v) => v.version === version);
  if (found) return found;
  const versions = model.versions.map((v) => v.version).join(', ') || 'none';
  throw new MlopsError('ModelNotFound', `model "${model.name}" has no version ${version} (versions: ${versions}); see "mlops models ${model.name}"`);
}

function move(model: RegisteredModel, event: AliasEvent): AliasEvent {
  if (event.to === null) delete model.aliases[event.alias];
  else model.aliases[event.alias] = event.to;
  model.history.push(event);
  return event;
}

/**
 * The version `alias` pointed to before its current one. Replays the alias's history as a
 * stack: a move pushes, a rollback pops, a removal clears.
 */
export function previousVersion(model: RegisteredModel, alias: string): number | undefined {
  const stack: number[] = [];
  for (const event of model.history) {
    if (event.alias !== alias) continue;
    if (event.to === null) stack.length = 0;
    else if (event.action === 'rollback') {
      stack.pop();
      if (stack.at(-1) !== event.to) stack.push(event.to);
    } else stack.push(event.to);
  }
  // The stack's top is the current version; below it, the one to go back to.
  return stack.at(-2);
}

/**
 * The version a monitor may roll `alias` back to while its current version is on probation:
 * the one the last forward move (deploy or promote) replaced, by the same rule as
 * {@link previousVersion}. Undefined when the last move was a rollback (by a person or a
 * monitor) or a removal: nothing is on probation then.
 */
export function probationBaseline(model: RegisteredModel, alias: string): number | undefined {
  const last = model.history.filter((e) => e.alias === alias).at(-1);
  if (!last || last.to === null || last.action === 'rollback') return undefined;
  return previousVersion(model, alias);
}

function checkTime(value: string, what: string): void {
  if (Number.isNaN(Date.parse(value))) throw new MlopsError('BadRequest', `${what} "${value}" is not an ISO-8601 time (e.g. 2024-05-01T12:00:00Z)`);
}

/** Keys that would set or shadow an object's prototype instead of being stored. */
const reservedTagKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function checkTags(tags: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(tags)) {
    if (!tagKey.test(key)) throw new MlopsError('BadRequest', `tag key "${key}" must be 1 to 100 letters, digits or _ . : / -`);
    if (reservedTagKeys.has(key)) throw new MlopsError('BadRequest', `tag key "${key}" is reserved; choose another name`);
    if (value !== null && (typeof value !== 'string' || value.length > 1000)) {
      throw new MlopsError('BadRequest', `tag "${key}" must be a string of at most 1000 characters`);
    }
     
    if (typeof value === 'string' && /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
      throw new MlopsError('BadRequest', `tag "${key}" holds control characters (e.g. terminal escape sequences); use printable text`);
    }
  }
}
