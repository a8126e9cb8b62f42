/** Two writer processes racing on the file registry (the PostgreSQL race: test/integration/postgres-registry.test.ts). */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { raceTwoWriters } from './two-writers.js';

describe('file registry with two writer processes', () => {
  it('keeps every version, with unique numbers, and leaves no temp or lock file', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'registry-race-'));
    try {
      await raceTwoWriters(root);
      expect(await readdir(root)).toEqual(['race.json']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
