import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../../../src/registry/artifact-store.js';
import { CHECKPOINT_FOLDER_FORMAT, CheckpointFolder, restoreCheckpointFolder } from '../../../../src/model/kinds/command/checkpoint-folder.js';
import { useTempDir } from '../temp-dir.js';

const at = useTempDir('mlops-ckpt-folder-');

describe('checkpoint folder snapshots', () => {
  it('stores the files, restores them elsewhere, and stores nothing new while nothing changed', async () => {
    const store = new FileArtifactStore(at('store'));
    await mkdir(at('ckpt', 'sub'), { recursive: true });
    const folder = new CheckpointFolder(at('ckpt'), store, at('staging'));
    expect(await folder.snapshot()).toBeUndefined();

    await writeFile(at('ckpt', 'epoch.txt'), '3');
    await writeFile(at('ckpt', 'sub', 'weights.bin'), Buffer.from([1, 2, 3]));
    await writeFile(at('ckpt', '.weights.bin.tmp'), 'half-written');
    const first = await folder.snapshot();
    expect(first).toBeDefined();
    const manifest = JSON.parse((await store.readBytes(first!)).toString()) as { format: string; files: { path: string }[] };
    expect(manifest.format).toBe(CHECKPOINT_FOLDER_FORMAT);
    expect(manifest.files.map((f) => f.path)).toEqual(['epoch.txt', 'sub/weights.bin']);
    expect(await folder.snapshot()).toEqual(first);

    await writeFile(at('ckpt', 'epoch.txt'), '4');
    const second = await folder.snapshot();
    expect(second?.sha256).not.toBe(first?.sha256);

    expect(await restoreCheckpointFolder(store, first!, at('restored'))).toBe(2);
    expect(await readFile(at('restored', 'epoch.txt'), 'utf8')).toBe('3');
    expect([...(await readFile(at('restored', 'sub', 'weights.bin')))]).toEqual([1, 2, 3]);
  });

  it('serialises concurrent snapshots', async () => {
    const store = new FileArtifactStore(at('store2'));
    await mkdir(at('ckpt2'), { recursive: true });
    await writeFile(at('ckpt2', 'a'), 'a');
    const folder = new CheckpointFolder(at('ckpt2'), store, at('staging2'));
    const [a, b] = await Promise.all([folder.snapshot(), folder.snapshot()]);
    expect(a).toEqual(b);
  });

  it('refuses a manifest that names a path outside the folder', async () => {
    const store = new FileArtifactStore(at('store3'));
    const file = await store.putBytes('x', '.ckpt');
    const evil = await store.putBytes(JSON.stringify({ format: CHECKPOINT_FOLDER_FORMAT, files: [{ path: '../escape', artifact: file }] }), '.json');
    await expect(restoreCheckpointFolder(store, evil, at('target'))).rejects.toMatchObject({ type: 'ArtifactCorrupt', message: expect.stringContaining('unsafe path') });
    expect(await readdir(at()).then((n) => n.includes('escape'))).toBe(false);
    const notOne = await store.putBytes('{"format":"other"}', '.json');
    await expect(restoreCheckpointFolder(store, notOne, at('target'))).rejects.toMatchObject({ type: 'ArtifactCorrupt' });
    await rm(at('target'), { recursive: true, force: true });
  });
});
