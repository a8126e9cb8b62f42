import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration tests share one dev server; files run in parallel on 2 cores.
    fileParallelism: true,
    pool: 'forks',
    // Test fixtures live in temp folders: the data roots (MLOPS_DATA_ROOTS) are the working
    // directory and the OS temp folder, not everything. Tests of the roots pass their own.
    env: { MLOPS_DATA_ROOTS: [process.cwd(), tmpdir()].join(',') },
  },
});
