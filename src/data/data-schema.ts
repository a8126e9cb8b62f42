/**
 * The data schema: what a model expects of its data (TFDV's SchemaGen). Inferred from the
 * statistics of the first training dataset, kept with the model version, and checked on
 * every later dataset. Users can pin their own (`data.schema` in the spec): the format is the
 * JSON below, also accepted as YAML, and every field but `name` and `kind` may be left out.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { MlopsError } from '../errors.js';
import type { PipelineSpec } from '../spec/schema.js';
import { specColumns } from './columns.js';
import { checkDataPath, dataAccessFrom, requireRegularFile, type DataAccess } from './data-access.js';
import { maxValues, type ColumnExpectation, type ColumnKind, type DatasetStatistics } from './statistics.js';

const columnSchemaSchema = z.strictObject({
  name: z.string().min(1),
  /** numeric: numbers; categorical: values compared as text; other: only presence and missing values are checked. */
  kind: z.enum(['numeric', 'categorical', 'other']),
  /** What the spec uses the column for. */
  role: z.enum(['target', 'feature', 'other']).default('other'),
  /** A required column missing from the data is an error; an optional one a warning. */
  required: z.boolean().default(true),
  /** DuckDB type seen when the schema was inferred; informative only. */
  type: z.string().optional(),
  /** Largest share of null values accepted (0–1). */
  maxMissingRatio: z.number().min(0).max(1).default(1),
  /** Numeric columns: the accepted range; values outside are `outOfRange`. */
  range: z.strictObject({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, 'range.min must be ≤ range.max').optional(),
  /** Categorical columns: the known values (as text); others are `unseenCategories`. Left out: any value. */
  domain: z.array(z.string()).optional(),
});

export const dataSchemaSchema = z.strictObject({
  version: z.literal(1).default(1),
  columns: z.array(columnSchemaSchema),
  /** Where an inferred schema came from. */
  inferredFrom: z.strictObject({ origin: z.string(), rows: z.number() }).optional(),
});

/** One column of a {@link DataSchema}. */
export type ColumnSchema = z.output<typeof columnSchemaSchema>;
/** A data schema, as stored in `.schema.json` artifacts and pinned schema files. */
export type DataSchema = z.output<typeof dataSchemaSchema>;

/** Added to the observed missing share to make the inferred bound, so a little more noise passes. */
export const missingRatioSlack = 0.05;

/**
 * Infers a schema from statistics: every profiled column with its kind, range (numeric),
 * domain (categorical with at most 1000 values) and a missing-value bound of the observed
 * share plus 5 points. The spec's target, features and split column are required.
 */
export function inferSchema(stats: DatasetStatistics, spec: PipelineSpec): DataSchema {
  const roles = specRoles(spec);
  const columns = stats.columns.map((c): ColumnSchema => {
    const observed = stats.rows > 0 ? c.missing / stats.rows : 0;
    const base: ColumnSchema = {
      name: c.name,
      kind: c.kind,
      role: roles.get(c.name) ?? 'other',
      required: roles.has(c.name),
      type: c.type,
      maxMissingRatio: Math.min(1, Math.ceil((observed + missingRatioSlack) * 100 - 1e-9) / 100),
    };
    if (c.kind === 'numeric' && c.min !== null && c.max !== null) return { ...base, range: { min: c.min, max: c.max } };
    if (c.kind === 'categorical' && c.distinct <= maxValues && c.values.length === c.distinct) {
      return { ...base, domain: c.values.map((v) => v.value).sort() };
    }
    return base;
  });
  return { version: 1, columns, inferredFrom: { origin: stats.origin, rows: stats.rows } };
}

/** The spec's columns by role: the target, the features, the time-split column (`other`). */
export function specRoles(spec: PipelineSpec): Map<string, ColumnSchema['role']> {
  const roles = new Map<string, ColumnSchema['role']>();
  for (const c of specColumns(spec.data)) {
    roles.set(c.name, c.field === 'data.target' ? 'target' : c.field === 'data.features' ? 'feature' : 'other');
  }
  return roles;
}

/** How each spec column is profiled: a regression target and numeric features as numbers, the rest as categories. */
export function specKinds(spec: PipelineSpec): Map<string, ColumnKind> {
  const kinds = new Map<string, ColumnKind>([[spec.data.target, spec.task === 'regression' ? 'numeric' : 'categorical']]);
  for (const f of spec.data.features) if (!kinds.has(f.name)) kinds.set(f.name, f.type);
  return kinds;
}

/** The expectations a statistics scan can count against (ranges and domains), by column. */
export function expectationsOf(schema: DataSchema | undefined): Map<string, ColumnExpectation> {
  const expected = new Map<string, ColumnExpectation>();
  for (const c of schema?.columns ?? []) {
    if (c.range || c.domain) expected.set(c.name, { range: c.range, domain: c.domain });
  }
  return expected;
}

/** Validates a parsed schema document; `origin` names the file in the error. */
export function parseDataSchema(input: unknown, origin: string): DataSchema {
  const result = dataSchemaSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new MlopsError('SpecInvalid', `invalid data schema ${origin}: ${problems.join('; ')}`, { problems });
}

/** A schema file is small; anything larger is not one (and is not read into memory). */
const maxSchemaBytes = 16 * 1024 * 1024;

/**
 * Reads a pinned schema file (JSON, or YAML for .yaml/.yml), relative to `baseDir`; `field` names
 * where it was given. Only inside the data roots (`access`, default MLOPS_DATA_ROOTS); messages
 * never quote the file's content, which may be anything.
 */
export async function loadDataSchemaFile(file: string, baseDir: string, field = 'data.schema', access: DataAccess = dataAccessFrom()): Promise<DataSchema> {
  const absolute = path.resolve(baseDir, file);
  await checkDataPath(access, absolute, field);
  await requireRegularFile(absolute, field);
  const unreadable = (reason: string) => new MlopsError('SpecInvalid', `cannot read the data schema ${absolute} (${field}): ${reason}`);
  const info = await stat(absolute).catch(() => undefined);
  if (info && info.size > maxSchemaBytes) throw unreadable(`it is ${info.size} bytes; a data schema is a JSON or YAML file of at most ${maxSchemaBytes} bytes`);
  const text = await readFile(absolute, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw unreadable(err.code === 'ENOENT' ? 'no such file' : (err.code ?? 'read error'));
  });
  const yaml = /\.ya?ml$/i.test(absolute);
  let raw: unknown;
  try {
    raw = yaml ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    // Position only: the parsers' messages quote the text around the error.
    const where = yaml ? (err as { linePos?: { line: number; col: number }[] }).linePos?.[0] : undefined;
    const at = yaml ? (where ? ` at line ${where.line}, column ${where.col}` : '') : jsonErrorPosition(err, text);
    throw new MlopsError('SpecInvalid', `the data schema ${absolute} (${field}) is not valid ${yaml ? 'YAML' : 'JSON'}: syntax error${at}; write it as \`mlops validate --json\` prints under "schema"`);
  }
  return parseDataSchema(raw, absolute);
}

/** ` at line L, column C` of a JSON.parse error, from its character position. */
function jsonErrorPosition(err: unknown, text: string): string {
  const position = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** The schema as stored: stable JSON, two-space indented. */
export function serializeDataSchema(schema: DataSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
