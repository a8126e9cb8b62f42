import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';
import { describeRegistryContract, version } from './registry-contract.js';

const tempRoot = () => mkdtemp(path.join(os.tmpdir(), 'registry-'));

describeRegistryContract('files', async () => new FileModelRegistry(path.join(await tempRoot(), 'registry')));

describe('FileModelRegistry', () => {
  it('keeps one whole JSON document per model and leaves no temp or lock files', async () => {
    const root = path.join(await tempRoot(), 'registry');
    const registry = new FileModelRegistry(root);
    await registry.registerVersion('m', version('run-1'));
    await expect(registry.setAlias('m', 'production', 7, 'ana')).rejects.toThrow(/has no version 7/);
    await registry.addInferenceSegment({ model: 'm', kind: 'predictions', artifact: version('x').bundle, rows: 1, firstAt: '2024-01-01T00:00:00.000Z', lastAt: '2024-01-01T00:00:01.000Z' });
    expect(await readdir(root)).toEqual(['.segments', 'm.json']);
    expect(await readdir(path.join(root, '.segments'))).toEqual(['m.json']);
    const doc = JSON.parse(await readFile(path.join(root, 'm.json'), 'utf8'));
    expect(doc).toMatchObject({ name: 'm', aliases: {}, history: [] });
    expect(doc.versions).toHaveLength(1);
  });
});

describe('FileArtifactStore', () => {
  it('is content-addressed and verifies hashes on read', async () => {
    const root = await tempRoot();
    const store = new FileArtifactStore(path.join(root, 'artifacts'));
    const a = await store.putBytes('hello', '.txt');
    const b = await store.putBytes('hello', '.txt');
    expect(a).toEqual(b);
    expect(a.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect((await store.readBytes(a)).toString()).toBe('hello');
    await writeFile(await store.localPath(a), 'tampered');
    await expect(store.readBytes(a)).rejects.toThrow(/does not match its hash/);
    await expect(store.localPath({ ...a, uri: `file://${root}/missing.txt` })).rejects.toThrow(/is missing/);
  });
});
