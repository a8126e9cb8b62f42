/**
 * Loaded predictors for the model server, keyed by (name, version), and the alias → version
 * mapping it serves (usually `production`).
 *
 * Versions are immutable, so a loaded version is reused until evicted. Aliases move: each
 * alias is re-read from the registry at most every `pollMs` (or right away after
 * {@link ModelCache.refresh}). The first request after the interval re-reads the registry
 * and, when the alias moved, loads the new version before switching to it; requests that
 * arrive meanwhile keep the previous predictor. A request that already holds a predictor
 * finishes with it, so no request fails during a swap.
 */
import { MlopsError, errorMessage } from '../errors.js';
import type { Predictor } from '../model/types.js';
import type { ArtifactRef } from '../registry/artifact-store.js';
import type { ModelRegistry, ModelVersion, RegisteredModel } from '../registry/model-registry.js';
import { HttpError } from './http-error.js';

/** Which version of a model to serve: a fixed `version`, or the one an `alias` points to. */
export interface ModelSelector {
  readonly version?: number;
  /** Defaults to `production`. Ignored when `version` is given. */
  readonly alias?: string;
}

/** A servable model version. */
export interface ResolvedModel {
  readonly name: string;
  readonly version: number;
  /** The registry entry: bundle reference, metrics, lineage. */
  readonly entry: ModelVersion;
  readonly predictor: Predictor;
}

/** The few logger methods the cache uses; pino and fastify loggers both fit. */
export interface CacheLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ModelCacheOptions {
  readonly registry: ModelRegistry;
  /** Turns a model bundle into a predictor; injected so serving does not depend on the model code. */
  readonly loadPredictor: (ref: ArtifactRef) => Promise<Predictor>;
  /** How long an alias lookup is trusted before the registry is read again. Default 1000 ms. */
  readonly pollMs?: number;
  /** Versions kept loaded besides those an alias currently points to. Default 4. */
  readonly maxExtraLoaded?: number;
  readonly logger?: CacheLogger;
  /** Called when an alias starts being served at a version (first load or swap). */
  readonly onServe?: (name: string, alias: string, version: number, previous: number | undefined) => void;
}

interface AliasState {
  readonly name: string;
  current?: ResolvedModel;
  /** When the registry read that produced `current` started. */
  checkedAt: number;
  /** Bumped by refresh(), so a read already in flight does not count as fresh. */
  generation: number;
  pending?: Promise<ResolvedModel>;
}

interface Loaded {
  readonly name: string;
  readonly entry: ModelVersion;
  readonly predictor: Promise<Predictor>;
  /** Set once the predictor has loaded. */
  ready?: ResolvedModel;
}

const noopLogger: CacheLogger = { info: () => {}, warn: () => {} };

export class ModelCache {
  private readonly registry: ModelRegistry;
  private readonly loadPredictor: (ref: ArtifactRef) => Promise<Predictor>;
  private readonly pollMs: number;
  private readonly maxExtraLoaded: number;
  private readonly logger: CacheLogger;
  private readonly onServe: ModelCacheOptions['onServe'];
  /** Insertion order doubles as least-recently-used order. */
  private readonly loaded = new Map<string, Loaded>();
  private readonly aliases = new Map<string, AliasState>();

  constructor(options: ModelCacheOptions) {
    this.registry = options.registry;
    this.loadPredictor = options.loadPredictor;
    this.pollMs = options.pollMs ?? 1000;
    this.maxExtraLoaded = options.maxExtraLoaded ?? 4;
    this.logger = options.logger ?? noopLogger;
    this.onServe = options.onServe;
    if (!Number.isFinite(this.pollMs) || this.pollMs < 0) throw new RangeError(`pollMs must be a number >= 0, got ${this.pollMs}`);
  }

  /**
   * The predictor for a version or an alias (default `production`), loading it on demand.
   * Throws MlopsError `ModelNotFound` (HTTP 404) when the model, version or alias does not
   * exist, `BadRequest` for an invalid model name, and HttpError 503 when the bundle cannot
   * be loaded.
   */
  async resolve(name: string, selector: ModelSelector = {}): Promise<ResolvedModel> {
    if (selector.version !== undefined) return this.resolveVersion(name, selector.version);
    return this.resolveAlias(name, selector.alias ?? 'production');
  }

  /** An alias's model when it can be served without waiting: read less than `pollMs` ago, or being re-read. */
  private atHand(state: AliasState | undefined): ResolvedModel | undefined {
    return state?.current && (state.pending || Date.now() - state.checkedAt < this.pollMs) ? state.current : undefined;
  }

  /** Forgets when aliases were last read, so the next request re-reads the registry. */
  refresh(name?: string): void {
    for (const state of this.aliases.values()) {
      if (name === undefined || state.name === name) {
        state.checkedAt = -Infinity;
        state.generation++;
      }
    }
  }

  /** (name, version) pairs currently loaded or loading. */
  loadedVersions(): { name: string; version: number }[] {
    return [...this.loaded.values()].map(({ name, entry }) => ({ name, version: entry.version }));
  }

  private async resolveVersion(name: string, version: number): Promise<ResolvedModel> {
    const cached = this.loaded.get(versionKey(name, version));
    const entry = cached?.entry ?? findVersion(await this.readModel(name), name, { version });
    return { name, version, entry, predictor: await this.load(name, entry) };
  }

  private async resolveAlias(name: string, alias: string): Promise<ResolvedModel> {
    const key = aliasKey(name, alias);
    const state = this.aliases.get(key);
    const current = this.atHand(state);
    if (current) return current;
    // Someone is already re-reading the first load: wait for it.
    if (state?.pending) return state.pending;
    return this.reread(key, name, alias, state ?? { name, checkedAt: -Infinity, generation: 0 });
  }

  private async reread(key: string, name: string, alias: string, state: AliasState): Promise<ResolvedModel> {
    this.aliases.set(key, state);
    const started = Date.now();
    const generation = state.generation;
    const pending = this.lookupAlias(name, alias, state.current);
    state.pending = pending;
    try {
      const resolved = await pending;
      const previous = state.current?.version;
      state.current = resolved;
      if (previous !== resolved.version) {
        this.logger.info({ model: name, alias, version: resolved.version, previous }, `serving ${name} version ${resolved.version} as ${alias}`);
        this.onServe?.(name, alias, resolved.version, previous);
      }
      return resolved;
    } catch (err) {
      if (state.current && !isNotFound(err)) {
        // A transient failure (registry unreadable, new bundle broken): keep the old version.
        this.logger.warn({ model: name, alias, err }, `keeping ${name} version ${state.current.version} as ${alias}: ${errorMessage(err)}`);
        return state.current;
      }
      if (this.aliases.get(key) === state) this.aliases.delete(key);
      throw err;
    } finally {
      state.pending = undefined;
      state.checkedAt = generation === state.generation ? started : -Infinity;
    }
  }

  private async lookupAlias(name: string, alias: string, current: ResolvedModel | undefined): Promise<ResolvedModel> {
    const entry = findVersion(await this.readModel(name), name, { alias });
    if (current?.version === entry.version) return current;
    return { name, version: entry.version, entry, predictor: await this.load(name, entry) };
  }

  private async readModel(name: string): Promise<RegisteredModel> {
    const model = await this.registry.getModel(name);
    if (model) return model;
    // Other models' names are not for whoever guesses this one.
    throw new MlopsError('ModelNotFound', `model "${name}" is not in the registry; check the name, or train and deploy it with "mlops run SPEC" ("mlops models" lists them)`);
  }

  private load(name: string, entry: ModelVersion): Promise<Predictor> {
    const key = versionKey(name, entry.version);
    const hit = this.loaded.get(key);
    if (hit) {
      this.loaded.delete(key);
      this.loaded.set(key, hit);
      return hit.predictor;
    }
    const predictor = this.loadPredictor(entry.bundle).then(
      (loaded) => {
        const hit = this.loaded.get(key);
        if (hit?.predictor === predictor) hit.ready = { name, version: entry.version, entry, predictor: loaded };
        return loaded;
      },
      (err: unknown) => {
        if (this.loaded.get(key)?.predictor === predictor) this.loaded.delete(key);
        throw new HttpError(
          503,
          `model "${name}" version ${entry.version} could not be loaded (${errorMessage(err)}); check its bundle with "mlops models ${name}" or point the alias at another version`,
        );
      },
    );
    this.loaded.set(key, { name, entry, predictor });
    this.evict();
    return predictor;
  }

  /** Drops the least recently used versions that no alias points to. */
  private evict(): void {
    const pinned = new Set<string>();
    for (const { name, current } of this.aliases.values()) {
      if (current) pinned.add(versionKey(name, current.version));
    }
    const extra = [...this.loaded.keys()].filter((k) => !pinned.has(k));
    for (const key of extra.slice(0, Math.max(0, extra.length - this.maxExtraLoaded))) this.loaded.delete(key);
  }
}

function versionKey(name: string, version: number): string {
  return `${name}@${version}`;
}

function aliasKey(name: string, alias: string): string {
  return `${name}\0${alias}`;
}

function isNotFound(err: unknown): boolean {
  return err instanceof MlopsError && err.type === 'ModelNotFound';
}

/** The version a selector names in a model's registry document, or a 404 that says what exists. */
function findVersion(model: RegisteredModel, name: string, selector: ModelSelector): ModelVersion {
  const versions = model.versions.map((v) => v.version);
  if (selector.version !== undefined) {
    const found = model.versions.find((v) => v.version === selector.version);
    if (found) return found;
    throw new MlopsError('ModelNotFound', `model "${name}" has no version ${selector.version} (versions: ${versions.join(', ') || 'none'}); see "mlops models ${name}"`);
  }
  const alias = selector.alias ?? 'production';
  const target = Object.hasOwn(model.aliases, alias) ? model.aliases[alias] : undefined;
  const found = model.versions.find((v) => v.version === target);
  if (found) return found;
  if (alias === 'production') {
    throw new MlopsError(
      'ModelNotFound',
      `model "${name}" has no production version yet: approve a pipeline waiting for review ("mlops approve WORKFLOW_ID --reviewer NAME") or promote a version ("mlops promote ${name} VERSION"); until then call a fixed version at /v1/models/${name}/versions/N:predict (versions: ${versions.join(', ') || 'none'})`,
    );
  }
  const labels = Object.keys(model.aliases);
  throw new MlopsError(
    'ModelNotFound',
    `model "${name}" has no version labelled "${alias}" (labels: ${labels.join(', ') || 'none'}); see "mlops models ${name}"`,
  );
}
