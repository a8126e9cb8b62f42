/**
 * The default registry backend: one JSON document per model under `<root>/<name>.json`,
 * rewritten atomically (temp file + rename) under a lock, so two workers never corrupt it and
 * a crash leaves the previous state intact. Readers never lock: they always see a whole
 * document. Inference-log segments are indexed in `<root>/.segments/<name>.json` the same way.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from './file-lock.js';
import { checkModelName, ModelRegistry, type InferenceSegment, type RegisteredModel, type SegmentQuery } from './model-registry.js';

/** The registry in a local folder: one JSON document per model, updated atomically under a file lock. */
export class FileModelRegistry extends ModelRegistry {
  constructor(readonly root: string) {
    super();
  }

  async listModels(): Promise<string[]> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    return entries.filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -5)).sort();
  }

  async getModel(name: string): Promise<RegisteredModel | undefined> {
    return readJson<RegisteredModel>(this.fileFor(name));
  }

  async addInferenceSegment(segment: InferenceSegment): Promise<void> {
    const file = this.segmentsFileFor(segment.model);
    await withFileLock(`${file}.lock`, async () => {
      const segments = (await readJson<InferenceSegment[]>(file)) ?? [];
      if (segments.some((s) => s.artifact.sha256 === segment.artifact.sha256 && s.kind === segment.kind)) return;
      segments.push(segment);
      await writeFileAtomic(file, JSON.stringify(segments, null, 1));
    });
  }

  async listInferenceSegments(model: string, query: SegmentQuery = {}): Promise<InferenceSegment[]> {
    const segments = (await readJson<InferenceSegment[]>(this.segmentsFileFor(model))) ?? [];
    return segments
      .filter((s) => (query.kind === undefined || s.kind === query.kind) && (query.since === undefined || s.lastAt >= query.since))
      .sort((a, b) => a.firstAt.localeCompare(b.firstAt));
  }

  protected async update<T>(name: string, change: (model: RegisteredModel) => T): Promise<T> {
    const file = this.fileFor(name);
    return withFileLock(`${file}.lock`, async () => {
      const model = (await this.getModel(name)) ?? { name, versions: [], aliases: {}, history: [] };
      const result = change(model);
      await writeFileAtomic(file, JSON.stringify(model, null, 2));
      return result;
    });
  }

  private fileFor(name: string): string {
    checkModelName(name);
    return path.join(this.root, `${name}.json`);
  }

  private segmentsFileFor(name: string): string {
    checkModelName(name);
    return path.join(this.root, '.segments', `${name}.json`);
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
