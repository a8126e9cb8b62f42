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
 *
 * Many models: versions load on first request and stay in a least-recently-used cache bounded
 * by a count and by their artifacts' bytes; an alias whose version was evicted loads it again on
 * its next request (a cold load). An evicted predictor is disposed (its `dispose()`, e.g. an
 * ONNX session's release) once no request holds it: requests take a lease ({@link ModelCache.acquire})
 * and release it when they are done.
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
  /** Most model versions kept loaded. Default {@link defaultCacheLimits}.maxModels. */
  readonly maxModels?: number;
  /** Most bytes of model artifacts (their `bundle.bytes`) kept loaded. Default {@link defaultCacheLimits}.maxBytes. */
  readonly maxBytes?: number;
  readonly logger?: CacheLogger;
  /** Called when an alias starts being served at a version (first load or swap). */
  readonly onServe?: (name: string, alias: string, version: number, previous: number | undefined) => void;
  /** Called after a version loaded on demand (a cold load), with its load time. */
  readonly onLoad?: (name: string, version: number, seconds: number) => void;
  /** Called when a version leaves the cache; `models` and `bytes` are what stays loaded. */
  readonly onEvict?: (name: string, version: number) => void;
  /** Called whenever what is loaded changes. */
  readonly onSize?: (models: number, bytes: number) => void;
}

/** The cache's default bounds: enough for a fleet of small models, at most 1 GiB of artifacts. */
export const defaultCacheLimits = Object.freeze({ maxModels: 1000, maxBytes: 1024 * 1024 * 1024 });

/** A model held by a request: it stays usable (not disposed) until `release()`. */
export interface ModelLease extends ResolvedModel {
  /** Lets the cache dispose the predictor if it was evicted meanwhile; further calls do nothing. */
  release(): void;
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
  /** The artifact's size: what the byte bound counts. */
  readonly bytes: number;
  /** Set once the predictor has loaded. */
  ready?: ResolvedModel;
  /** Requests holding it now. */
  leases: number;
  /** Out of the cache: disposed once the last lease is released. */
  evicted: boolean;
}

const noopLogger: CacheLogger = { info: () => {}, warn: () => {} };

export class ModelCache {
  private readonly registry: ModelRegistry;
  private readonly loadPredictor: (ref: ArtifactRef) => Promise<Predictor>;
  private readonly pollMs: number;
  private readonly maxModels: number;
  private readonly maxBytes: number;
  private readonly logger: CacheLogger;
  private readonly hooks: Pick<ModelCacheOptions, 'onServe' | 'onLoad' | 'onEvict' | 'onSize'>;
  /** Insertion order doubles as least-recently-used order. */
  private readonly loaded = new Map<string, Loaded>();
  private loadedBytes = 0;
  private readonly aliases = new Map<string, AliasState>();
  /** The cache record of each loaded predictor, so a lease finds it even after eviction. */
  private readonly records = new WeakMap<Predictor, Loaded>();

  constructor(options: ModelCacheOptions) {
    this.registry = options.registry;
    this.loadPredictor = options.loadPredictor;
    this.pollMs = options.pollMs ?? 1000;
    this.maxModels = options.maxModels ?? defaultCacheLimits.maxModels;
    this.maxBytes = options.maxBytes ?? defaultCacheLimits.maxBytes;
    this.logger = options.logger ?? noopLogger;
    this.hooks = options;
    if (!Number.isFinite(this.pollMs) || this.pollMs < 0) throw new RangeError(`pollMs must be a number >= 0, got ${this.pollMs}`);
    if (!Number.isSafeInteger(this.maxModels) || this.maxModels < 1) throw new RangeError(`maxModels must be a whole number >= 1, got ${this.maxModels}`);
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < 1) throw new RangeError(`maxBytes must be a whole number of bytes >= 1, got ${this.maxBytes}`);
  }

  /**
   * Like {@link resolve}, and the predictor stays usable until the lease is released, even if
   * it is evicted meanwhile. Every lease must be released once (the server does it when the
   * request ends).
   */
  async acquire(name: string, selector: ModelSelector = {}): Promise<ModelLease> {
    const model = await this.resolve(name, selector);
    // Same turn as the resolve: an eviction since then disposes only after setImmediate (see evict).
    const record = this.records.get(model.predictor);
    if (record) record.leases++;
    let released = false;
    return {
      ...model,
      release: () => {
        if (released || !record) return;
        released = true;
        record.leases--;
        if (record.leases > 0) return;
        if (record.evicted) this.dispose(record);
        // It may have kept the cache over its bounds while held.
        else this.evict();
      },
    };
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

  /** (name, version) pairs currently loaded or loading, least recently used first. */
  loadedVersions(): { name: string; version: number }[] {
    return [...this.loaded.values()].map(({ name, entry }) => ({ name, version: entry.version }));
  }

  /** How much is loaded: versions, and their artifacts' bytes. */
  size(): { models: number; bytes: number } {
    return { models: this.loaded.size, bytes: this.loadedBytes };
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
    if (current) {
      this.touch(versionKey(name, current.version));
      return current;
    }
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
        this.hooks.onServe?.(name, alias, resolved.version, previous);
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
    // Evicted while the registry was read: load it again rather than serve a disposed predictor.
    if (current?.version === entry.version && !this.records.get(current.predictor)?.evicted) return current;
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
    const hit = this.touch(key);
    if (hit) return hit.predictor;
    const started = performance.now();
    const predictor = this.loadPredictor(entry.bundle).then(
      (loaded) => {
        const record = this.loaded.get(key);
        if (record?.predictor === predictor) {
          record.ready = { name, version: entry.version, entry, predictor: loaded };
          this.records.set(loaded, record);
          this.hooks.onLoad?.(name, entry.version, (performance.now() - started) / 1000);
          // Loading entries are never evicted: now that this one is ready, the bounds apply again.
          this.evict(key);
        }
        return loaded;
      },
      (err: unknown) => {
        if (this.loaded.get(key)?.predictor === predictor) this.remove(key);
        throw new HttpError(
          503,
          `model "${name}" version ${entry.version} could not be loaded (${errorMessage(err)}); check its bundle with "mlops models ${name}" or point the alias at another version`,
        );
      },
    );
    this.loaded.set(key, { name, entry, predictor, bytes: entry.bundle.bytes, leases: 0, evicted: false });
    this.loadedBytes += entry.bundle.bytes;
    this.evict(key);
    this.hooks.onSize?.(this.loaded.size, this.loadedBytes);
    return predictor;
  }

  /** Marks a version as the most recently used; its record, when loaded. */
  private touch(key: string): Loaded | undefined {
    const hit = this.loaded.get(key);
    if (hit) {
      this.loaded.delete(key);
      this.loaded.set(key, hit);
    }
    return hit;
  }

  /**
   * Drops least recently used versions until the cache is within its bounds. `keep` (the
   * version being requested; by default the most recently used), versions still loading and
   * versions held by a request stay: the bounds may be passed while all of them are in use,
   * and are restored as they are released. An alias served by a dropped version loads it again
   * on its next request.
   */
  private evict(keep?: string): void {
    if (this.withinBounds()) return;
    keep ??= [...this.loaded.keys()].at(-1);
    for (const [key, record] of this.loaded) {
      if (this.withinBounds()) return;
      if (key === keep || !record.ready || record.leases > 0) continue;
      this.remove(key);
      record.evicted = true;
      this.forgetAliasesOf(record.ready);
      this.hooks.onEvict?.(record.name, record.entry.version);
      // A request that resolved it this turn takes its lease in a microtask: dispose after those.
      setImmediate(() => record.leases === 0 && this.dispose(record));
    }
  }

  private withinBounds(): boolean {
    return this.loaded.size <= this.maxModels && this.loadedBytes <= this.maxBytes;
  }

  private remove(key: string): void {
    const record = this.loaded.get(key);
    if (!record) return;
    this.loaded.delete(key);
    this.loadedBytes -= record.bytes;
    this.hooks.onSize?.(this.loaded.size, this.loadedBytes);
  }

  /** Aliases served by an evicted version forget it, so their next request loads it again. */
  private forgetAliasesOf(model: ResolvedModel): void {
    for (const state of this.aliases.values()) {
      if (state.current?.predictor === model.predictor) {
        state.current = undefined;
        state.checkedAt = -Infinity;
      }
    }
  }

  private dispose(record: Loaded): void {
    const predictor = record.ready?.predictor;
    if (!predictor?.dispose || record.leases > 0) return;
    const dispose = predictor.dispose.bind(predictor);
    record.ready = undefined;
    Promise.resolve()
      .then(dispose)
      .catch((err: unknown) => this.logger.warn({ model: record.name, version: record.entry.version, err }, `disposing ${record.name} version ${record.entry.version} failed: ${errorMessage(err)}`));
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
