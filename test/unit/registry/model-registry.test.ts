import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { ModelRegistry, type NewVersion } from '../../../src/registry/model-registry.js';

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
  const store = new FileArtifactStore(path.join(root, 'artifacts'));
  const registry = new ModelRegistry(path.join(root, 'registry'));
  const bundle = await store.putBytes('{"weights":[1,2,3]}', '.model.json');
  const version = (key: string): NewVersion => ({
    bundle,
    metrics: { rmse: 1 },
    idempotencyKey: key,
    lineage: { dataset: bundle, specHash: 'abc' },
  });
  return { root, store, registry, version };
}

describe('ModelRegistry', () => {
  it('numbers versions, moves aliases and keeps the history', async () => {
    const { registry, version } = await setup();
    const v1 = await registry.registerVersion('m', version('run-1'));
    const v2 = await registry.registerVersion('m', version('run-2'));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    await registry.setAlias('m', 'production', 1, 'ana');
    await registry.setAlias('m', 'production', 2, 'bo', 'better');
    expect((await registry.resolve('m'))?.version).toBe(2);
    const model = await registry.getModel('m');
    expect(model?.history.map((e) => [e.from, e.to, e.actor])).toEqual([
      [null, 1, 'ana'],
      [1, 2, 'bo'],
    ]);
  });

  it('never registers two versions for one idempotency key', async () => {
    const { registry, version } = await setup();
    await registry.registerVersion('m', version('run-1'));
    const again = await registry.registerVersion('m', version('run-1'));
    expect(again.version).toBe(1);
    expect((await registry.getModel('m'))?.versions).toHaveLength(1);
  });

  it('keeps concurrent writers consistent', async () => {
    const { registry, version } = await setup();
    const versions = await Promise.all(Array.from({ length: 12 }, (_, i) => registry.registerVersion('m', version(`run-${i}`))));
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('refuses unknown versions and path tricks in names, leaving no temp files', async () => {
    const { registry, version, root } = await setup();
    await registry.registerVersion('m', version('run-1'));
    await expect(registry.setAlias('m', 'production', 7, 'ana')).rejects.toThrow(/has no version 7/);
    await expect(registry.getModel('../etc')).rejects.toThrow(/not a model name/);
    const files = await readdir(path.join(root, 'registry'));
    expect(files).toEqual(['m.json']);
    expect(JSON.parse(await readFile(path.join(root, 'registry', 'm.json'), 'utf8')).aliases).toEqual({});
  });
});

describe('FileArtifactStore', () => {
  it('is content-addressed and verifies hashes on read', async () => {
    const { store, root } = await setup();
    const a = await store.putBytes('hello', '.txt');
    const b = await store.putBytes('hello', '.txt');
    expect(a).toEqual(b);
    expect(a.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect((await store.readBytes(a)).toString()).toBe('hello');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(await store.localPath(a), 'tampered');
    await expect(store.readBytes(a)).rejects.toThrow(/does not match its hash/);
    await expect(store.localPath({ ...a, uri: `file://${root}/missing.txt` })).rejects.toThrow(/is missing/);
  });
});
