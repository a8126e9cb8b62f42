/** The smaller findings, each with the test that failed before its fix. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/printable.js';
import { loadConfig } from '../../src/config.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { parseSpec } from '../../src/spec/parse.js';

const minimal = { name: 'm', task: 'regression', data: { source: 'd.csv', target: 'y', features: [{ name: 'a', type: 'numeric' }] } };

describe('smaller findings', () => {
  it('a PostgreSQL URL with a misspelt scheme is not echoed with its password', () => {
    expect(() => loadConfig({ MLOPS_REGISTRY: 'postgress://admin:hunter2secret@db:5432/mlops' })).toThrow(/MLOPS_REGISTRY="postgress:\/\/\*\*\*@db:5432\/mlops"/);
    expect(() => loadConfig({ MLOPS_REGISTRY: 'postgress://admin:hunter2secret@db:5432/mlops' })).not.toThrow(/hunter2/);
  });

  it('a 300-character spec name fails the spec check, not the deploy', () => {
    expect(() => parseSpec({ ...minimal, name: 'a'.repeat(300) }, 't')).toThrow(/name: name must be at most 100 characters/);
    expect(parseSpec({ ...minimal, name: 'a'.repeat(100) }, 't').name).toHaveLength(100);
  });

  it('tags: __proto__ is refused (it was silently dropped), control characters too, and output never carries raw escapes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mlops-tags-'));
    try {
      const registry = new FileModelRegistry(dir);
      const ref = { uri: 'file:///x', sha256: 'a'.repeat(64), bytes: 1 };
      await registry.registerVersion('m', { bundle: ref, metrics: {}, lineage: { dataset: ref, specHash: 's' }, idempotencyKey: 'k' });
      const changes = Object.create(null) as Record<string, string>;
      changes['__proto__'] = 'x';
      await expect(registry.setTags('m', 1, changes)).rejects.toThrow(/tag key "__proto__" is reserved/);
      await expect(registry.setTags('m', 1, { note: 'red \u001b[31mALERT\u001b[0m' })).rejects.toThrow(/control characters/);
      expect(await registry.setTags('m', 1, { note: 'fine' })).toEqual({ note: 'fine' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(printable('a \u001b[2J b\tc', true)).toBe('a \\u001b[2J b\tc');
  });
});
