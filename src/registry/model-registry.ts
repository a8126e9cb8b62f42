/**
 * The model registry: per model name, immutable numbered versions and movable aliases
 * (`production`, `staging`, any label), with an audit history. One JSON document per model
 * under `<root>/<name>.json`, rewritten atomically under a lock file so two workers never
 * corrupt it and a crash leaves the previous state intact.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Metrics } from '../model/types.js';
import type { ArtifactRef } from './artifact-store.js';
import { withFileLock } from './file-lock.js';

/** Where a version came from: enough to reproduce it. */
export interface Lineage {
  readonly dataset: ArtifactRef;
  readonly specHash: string;
  readonly workflowId?: string;
  readonly runId?: string;
  readonly backend?: string;
  readonly hyperparameters?: Record<string, unknown>;
}

export interface ApprovalRecord {
  readonly decision: 'approved' | 'auto-approved';
  readonly reviewer: string;
  readonly comment?: string;
  readonly at: string;
  readonly workflowId?: string;
}

export interface ModelVersion {
  readonly version: number;
  readonly bundle: ArtifactRef;
  readonly metrics: Metrics;
  readonly lineage: Lineage;
  readonly approval?: ApprovalRecord;
  readonly createdAt: string;
  /** A retried or duplicated deploy with the same key returns the existing version. */
  readonly idempotencyKey: string;
}

export interface AliasEvent {
  readonly alias: string;
  readonly from: number | null;
  readonly to: number;
  readonly actor: string;
  readonly at: string;
  readonly reason?: string;
}

export interface RegisteredModel {
  readonly name: string;
  readonly versions: ModelVersion[];
  readonly aliases: Record<string, number>;
  readonly history: AliasEvent[];
}

export type NewVersion = Omit<ModelVersion, 'version' | 'createdAt'>;

const modelName = /^[a-z0-9][a-z0-9-]*$/;

export class ModelRegistry {
  constructor(readonly root: string) {}

  async listModels(): Promise<string[]> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    return entries.filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -5)).sort();
  }

  async getModel(name: string): Promise<RegisteredModel | undefined> {
    const file = this.fileFor(name);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    return text === undefined ? undefined : (JSON.parse(text) as RegisteredModel);
  }

  /** The version an alias points to, or a given version; undefined when there is none. */
  async resolve(name: string, ref: { version?: number; alias?: string } = { alias: 'production' }): Promise<ModelVersion | undefined> {
    const model = await this.getModel(name);
    if (!model) return undefined;
    const version = ref.version ?? (ref.alias !== undefined ? model.aliases[ref.alias] : undefined);
    return model.versions.find((v) => v.version === version);
  }

  /** Adds the next version; idempotent on `idempotencyKey`. */
  async registerVersion(name: string, input: NewVersion): Promise<ModelVersion> {
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

  /** Points `alias` at `version`, recording who moved it and why. */
  async setAlias(name: string, alias: string, version: number, actor: string, reason?: string): Promise<AliasEvent> {
    return this.update(name, (model) => {
      if (!model.versions.some((v) => v.version === version)) {
        throw new MlopsError('ModelNotFound', `model "${name}" has no version ${version}; see "mlops models ${name}"`);
      }
      const event: AliasEvent = { alias, from: model.aliases[alias] ?? null, to: version, actor, at: new Date().toISOString(), reason };
      model.aliases[alias] = version;
      model.history.push(event);
      return event;
    });
  }

  private async update<T>(name: string, change: (model: RegisteredModel) => T): Promise<T> {
    const file = this.fileFor(name);
    return withFileLock(`${file}.lock`, async () => {
      const model = (await this.getModel(name)) ?? { name, versions: [], aliases: {}, history: [] };
      const result = change(model);
      await writeFileAtomic(file, JSON.stringify(model, null, 2));
      return result;
    });
  }

  private fileFor(name: string): string {
    if (!modelName.test(name)) {
      throw new MlopsError('BadRequest', `"${name}" is not a model name: use lower case letters, digits and dashes ([a-z0-9][a-z0-9-]*)`);
    }
    return path.join(this.root, `${name}.json`);
  }
}
