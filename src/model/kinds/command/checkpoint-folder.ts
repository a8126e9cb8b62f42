/**
 * Keeps a command's MLOPS_CHECKPOINT_DIR in the artifact store. A snapshot is a small JSON
 * manifest listing each file with the content-addressed artifact that holds it, so a file
 * that did not change between snapshots is stored once and costs nothing to snapshot again.
 * The manifest's reference travels in the train activity's heartbeat; a retried attempt
 * (another worker, after a crash) restores the folder from it before starting the command.
 *
 * A snapshot copies each file before storing it, so a file rewritten meanwhile cannot make
 * the stored bytes disagree with their hash. A file caught half-written is the command's
 * business: write checkpoints to a temp name and rename them into place.
 */
import { copyFile, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError } from '../../../errors.js';
import type { ArtifactRef, ArtifactStore } from '../../../registry/artifact-store.js';

/** The `format` of checkpoint-folder manifests. */
export const CHECKPOINT_FOLDER_FORMAT = 'temporal-mlops/checkpoint-folder@1';

/** A snapshot of a checkpoint folder. */
export interface CheckpointFolderManifest {
  readonly format: typeof CHECKPOINT_FOLDER_FORMAT;
  /** Files by path relative to the folder (`/`-separated), sorted. */
  readonly files: readonly { readonly path: string; readonly artifact: ArtifactRef }[];
}

/** A file's identity for change detection: path, size and modification time. */
interface Listed {
  readonly path: string;
  readonly file: string;
  readonly stamp: string;
}

/** Regular files under `dir`, recursively, sorted by relative path. Links and dot-temp files are skipped. */
async function listFiles(dir: string): Promise<Listed[]> {
  const out: Listed[] = [];
  const walk = async (sub: string): Promise<void> => {
    const entries = await readdir(path.join(dir, sub), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile() && !isTempName(entry.name)) {
        const file = path.join(dir, rel);
        const info = await lstat(file).catch(() => undefined);
        if (info?.isFile()) out.push({ path: rel, file, stamp: `${info.size}:${info.mtimeMs}` });
      }
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Files being written by the usual write-then-rename idiom (`.name.tmp`, `name.tmp`, `name~`). */
function isTempName(name: string): boolean {
  return name.endsWith('.tmp') || name.endsWith('~') || name.endsWith('.partial');
}

/**
 * Snapshots a checkpoint folder whenever asked, storing only what changed since the last
 * snapshot. Calls are serialised: a snapshot asked for while one runs waits for it.
 */
export class CheckpointFolder {
  private last: { readonly signature: string; readonly ref: ArtifactRef | undefined } | undefined;
  private running: Promise<ArtifactRef | undefined> = Promise.resolve(undefined);

  /**
   * @param dir the folder the command writes to
   * @param store where file copies and manifests go
   * @param stagingDir scratch space for the copies (created when missing)
   */
  constructor(
    readonly dir: string,
    private readonly store: ArtifactStore,
    private readonly stagingDir: string,
  ) {}

  /** The manifest of the folder as it is now; undefined while it holds no files. Unchanged folders are not stored again. */
  snapshot(): Promise<ArtifactRef | undefined> {
    this.running = this.running.catch(() => undefined).then(() => this.take());
    return this.running;
  }

  private async take(): Promise<ArtifactRef | undefined> {
    const files = await listFiles(this.dir);
    const signature = signatureOf(files);
    if (this.last?.signature === signature) return this.last.ref;
    if (files.length === 0) {
      this.last = { signature, ref: undefined };
      return undefined;
    }
    await mkdir(this.stagingDir, { recursive: true });
    const stored: { path: string; artifact: ArtifactRef }[] = [];
    for (const f of files) {
      const copy = path.join(this.stagingDir, 'file');
      try {
        await copyFile(f.file, copy);
      } catch (err) {
        // Deleted between listing and copying (the command rotates its checkpoints): not part of this snapshot.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      stored.push({ path: f.path, artifact: await this.store.putFile(copy, '.ckpt') });
    }
    await rm(path.join(this.stagingDir, 'file'), { force: true });
    const manifest: CheckpointFolderManifest = { format: CHECKPOINT_FOLDER_FORMAT, files: stored };
    const ref = await this.store.putBytes(JSON.stringify(manifest), '.ckpt-folder.json');
    this.last = { signature, ref };
    return ref;
  }
}

function signatureOf(files: readonly Listed[]): string {
  return files.map((f) => `${f.path}\0${f.stamp}`).join('\n');
}

/**
 * Fills `dir` (which should be empty) with the files of a snapshot. Throws
 * MlopsError('ArtifactCorrupt') when the manifest is not one, or names a path outside `dir`.
 */
export async function restoreCheckpointFolder(store: ArtifactStore, manifestRef: ArtifactRef, dir: string): Promise<number> {
  const manifest = parseManifest((await store.readBytes(manifestRef)).toString('utf8'), manifestRef.uri);
  await mkdir(dir, { recursive: true });
  for (const file of manifest.files) {
    const target = path.resolve(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(await store.localPath(file.artifact), target);
  }
  return manifest.files.length;
}

function parseManifest(text: string, origin: string): CheckpointFolderManifest {
  const bad = (why: string) => new MlopsError('ArtifactCorrupt', `${origin} is not a checkpoint-folder snapshot (${why})`);
  let value: Partial<CheckpointFolderManifest>;
  try {
    value = JSON.parse(text) as Partial<CheckpointFolderManifest>;
  } catch {
    throw bad('not JSON');
  }
  if (value.format !== CHECKPOINT_FOLDER_FORMAT || !Array.isArray(value.files)) throw bad(`format is not ${CHECKPOINT_FOLDER_FORMAT}`);
  for (const f of value.files) {
    const rel = typeof f?.path === 'string' ? f.path : '';
    const normal = path.posix.normalize(rel);
    if (rel === '' || path.posix.isAbsolute(rel) || normal !== rel || normal.startsWith('../') || normal === '..' || rel.includes('\\')) {
      throw bad(`unsafe path ${JSON.stringify(rel)}`);
    }
    if (typeof f.artifact?.uri !== 'string' || typeof f.artifact.sha256 !== 'string') throw bad(`no artifact for ${rel}`);
  }
  return value as CheckpointFolderManifest;
}
