/** A temporary folder shared by the tests of one file (checkpoints, fake git checkouts). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Makes a folder before the file's tests and removes it after them; returns a function that
 * joins paths inside it. Call at the top level of a test file.
 */
export function useTempDir(prefix: string): (...parts: string[]) => string {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return (...parts) => path.join(dir, ...parts);
}
