/** Reading and validating pipeline specs, with errors that say which field is wrong and how. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { errorMessage, MlopsError } from '../errors.js';
import { inferenceLogSource, pipelineSpecSchema, type PipelineSpec } from './schema.js';

/** Validates a spec object; `origin` names where it came from in the error message. */
export function parseSpec(input: unknown, origin: string): PipelineSpec {
  const result = pipelineSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return `${where}: ${issue.message}`;
  });
  throw new MlopsError('SpecInvalid', `invalid pipeline spec (${origin}): ${problems.join('; ')}`, { problems });
}

/**
 * Reads a YAML or JSON spec file. Relative `data.source` and `monitoring.source` paths are made
 * absolute against the spec file's folder, so the workflow input means the same on any worker
 * (`monitoring.source: inference-log` is not a path and stays as it is).
 */
export async function loadSpecFile(file: string): Promise<PipelineSpec> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new MlopsError('SpecInvalid', `cannot read spec file ${path.resolve(file)}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const isJson = /\.json$/i.test(file);
  let raw: unknown;
  try {
    raw = isJson ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new MlopsError('SpecInvalid', `spec file ${file} is not valid ${isJson ? 'JSON' : 'YAML'}: ${errorMessage(err).split('\n')[0]}`);
  }
  const spec = parseSpec(raw, file);
  return resolveSpecPaths(spec, path.dirname(path.resolve(file)));
}

/** Makes relative `data.source` and `monitoring.source` paths absolute against `baseDir`. */
export function resolveSpecPaths(spec: PipelineSpec, baseDir: string): PipelineSpec {
  const absolute = (p: string | undefined) => (p === undefined ? undefined : path.resolve(baseDir, p));
  return {
    ...spec,
    data: { ...spec.data, source: absolute(spec.data.source), schema: absolute(spec.data.schema) },
    monitoring: { ...spec.monitoring, source: spec.monitoring.source === inferenceLogSource ? inferenceLogSource : absolute(spec.monitoring.source) },
  };
}

/** The spec's JSON Schema, for editors and `mlops spec schema`. */
export function specJsonSchema(): unknown {
  return z.toJSONSchema(pipelineSpecSchema, { io: 'input' });
}
