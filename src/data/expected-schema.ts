/**
 * Which schema a dataset is checked against, in order: an explicit file (the CLI's --schema),
 * the spec's pinned `data.schema`, the schema kept with the model's production version, or
 * none (then validation infers one from the dataset itself). Also returns the production
 * version's training statistics, drawn next to the current ones in reports.
 */
import type { ArtifactRef, ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { PipelineSpec } from '../spec/schema.js';
import type { DataAccess } from './data-access.js';
import { loadDataSchemaFile, parseDataSchema, type DataSchema } from './data-schema.js';
import type { DatasetStatistics } from './statistics.js';

/** The outcome of {@link expectedSchema}. */
export interface ExpectedSchema {
  /** Undefined: infer from the dataset. */
  readonly schema?: DataSchema;
  readonly source: 'pinned' | 'model' | 'inferred';
  /** In words, for reports: `pinned (schema.json)`, `model taxi-duration v3`, `inferred from this dataset`. */
  readonly label: string;
  /** The production version's training statistics, when recorded. */
  readonly reference?: DatasetStatistics;
}

/** Options of {@link expectedSchema}. */
export interface ExpectedSchemaOptions {
  readonly spec: PipelineSpec;
  /** Folder a relative `data.schema` (or `file`) resolves against. */
  readonly baseDir: string;
  readonly registry: ModelRegistry;
  readonly store: ArtifactStore;
  /** A schema file that wins over everything else. */
  readonly file?: string;
  /** Where a schema file may be read from; default MLOPS_DATA_ROOTS. */
  readonly access?: DataAccess;
}

/** Finds the schema to check against (see the module comment). */
export async function expectedSchema(opts: ExpectedSchemaOptions): Promise<ExpectedSchema> {
  const production = await opts.registry.resolve(opts.spec.name, { alias: 'production' });
  const reference = production?.statistics ? ((await readJson(opts.store, production.statistics)) as DatasetStatistics) : undefined;
  const pinned = opts.file ?? opts.spec.data.schema;
  if (pinned !== undefined) {
    const schema = await loadDataSchemaFile(pinned, opts.baseDir, opts.file === undefined ? 'data.schema' : '--schema', opts.access);
    return { schema, source: 'pinned', label: `pinned (${pinned})`, reference };
  }
  if (production?.schema) {
    const schema = parseDataSchema(await readJson(opts.store, production.schema), production.schema.uri);
    return { schema, source: 'model', label: `model ${opts.spec.name} v${production.version}`, reference };
  }
  return { source: 'inferred', label: 'inferred from this dataset', reference };
}

async function readJson(store: ArtifactStore, ref: ArtifactRef): Promise<unknown> {
  return JSON.parse((await store.readBytes(ref)).toString('utf8'));
}
