import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { hasGpuBackend, selectBackend } from '../../../src/model/backend.js';

describe('selectBackend', () => {
  it('falls back to wasm when the native bindings are not installed, and is idempotent', async () => {
    // @tensorflow/tfjs-node(-gpu) cannot be installed on the test machines.
    const first = await selectBackend();
    expect(['tensorflow', 'wasm']).toContain(first);
    expect(await selectBackend()).toBe(first);
    expect(tf.getBackend()).toBe(first);
  });

  it('honours an explicit preference and MLOPS_TF_BACKEND', async () => {
    const auto = await selectBackend();
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await selectBackend()).toBe(auto);
    expect(tf.getBackend()).toBe(auto);
    process.env.MLOPS_TF_BACKEND = 'cpu';
    expect(await selectBackend()).toBe('cpu');
    process.env.MLOPS_TF_BACKEND = 'bogus';
    try {
      await expect(selectBackend()).rejects.toThrowError(/MLOPS_TF_BACKEND="bogus" is not a backend; use one of tensorflow, wasm, cpu/);
    } finally {
      delete process.env.MLOPS_TF_BACKEND;
      await selectBackend();
    }
  });

  it('reports no GPU backend without @tensorflow/tfjs-node-gpu', async () => {
    expect(await hasGpuBackend()).toBe(false);
  });
});
