/** Fixtures for the data-layer tests: temp folders, small specs and Parquet files written by DuckDB. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { DataEngine, quoteLiteral } from '../../../src/data/engine.js';
import { MlopsError } from '../../../src/errors.js';
import { pipelineSpecSchema, type PipelineSpec, type PipelineSpecInput } from '../../../src/spec/schema.js';

/** A fresh temp folder, removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-data-test-'));
    dirs.push(dir);
    return dir;
  };
}

/** A validated spec with `data` overrides; defaults to target `y` and features `a` (numeric), `b` (categorical). */
export function makeSpec(data: Partial<PipelineSpecInput['data']>, rest: Partial<PipelineSpecInput> = {}): PipelineSpec {
  return pipelineSpecSchema.parse({
    name: 'test-model',
    task: 'regression',
    ...rest,
    data: {
      target: 'y',
      features: [
        { name: 'a', type: 'numeric' },
        { name: 'b', type: 'categorical' },
      ],
      ...data,
    },
  });
}

/** Writes the result of `select` (DuckDB SQL) to `file` as Parquet. */
export async function writeParquet(file: string, select: string): Promise<string> {
  const engine = await DataEngine.open({ threads: 1 });
  try {
    await engine.run(`COPY (${select}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
    return file;
  } finally {
    engine.close();
  }
}

/** `n` rows of y = 2a + noise-free offset by category b ('p' or 'q'). */
export function abySelect(n: number): string {
  return `SELECT i::DOUBLE AS a, CASE WHEN i % 2 = 0 THEN 'p' ELSE 'q' END AS b, 2 * i + (i % 2) AS y FROM range(${n}) t(i)`;
}

/** Awaits a promise that must reject with an MlopsError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<MlopsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MlopsError);
  return err as MlopsError;
}
