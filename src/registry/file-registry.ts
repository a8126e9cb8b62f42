/**
 * The default registry backend: one JSON document per model under `<root>/<name>.json`,
 * rewritten atomically (temp file + rename) under a lock, so two workers never corrupt it and
 * a crash leaves the previous state intact. Readers never lock: they always see a whole
 * document. Inference-log segments are indexed in `<root>/.segments/<name>.json` the same way,
 * run records in `<root>/.runs/<name>.json` and monitor checks in `<root>/.checks/<name>.json`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { MlopsError } from '../errors.js';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withFileLock } from './file-lock.js';
import { checkModelName, ModelRegistry, type InferenceSegment, type RegisteredModel, type SegmentQuery } from './model-registry.js';
import { compareRuns, matchesRunQuery, type MonitorCheckRecord, type RunQuery, type RunRecord } from './run-record.js';

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

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const models = query.model !== undefined ? [query.model] : await this.indexedModels('.runs');
    const runs: RunRecord[] = [];
    for (const model of models) runs.push(...((await readJson<RunRecord[]>(this.indexFileFor('.runs', model))) ?? []).filter((r) => matchesRunQuery(r, query)));
    return runs.sort(compareRuns).slice(0, query.limit ?? runs.length);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return (await this.listRuns()).find((r) => r.id === id);
  }

  async listMonitorChecks(model: string, query: { readonly limit?: number } = {}): Promise<MonitorCheckRecord[]> {
    const checks = (await readJson<MonitorCheckRecord[]>(this.indexFileFor('.checks', model))) ?? [];
    return query.limit === undefined ? checks : checks.slice(Math.max(0, checks.length - query.limit));
  }

  protected async writeRun(run: RunRecord): Promise<void> {
    await this.updateIndex<RunRecord>('.runs', run.model, (runs) => [...runs.filter((r) => r.id !== run.id), run]);
  }

  protected async writeMonitorCheck(check: MonitorCheckRecord): Promise<void> {
    await this.updateIndex<MonitorCheckRecord>('.checks', check.model, (checks) => {
      if (checks.some((c) => c.workflowId === check.workflowId && c.runId === check.runId && c.at === check.at)) return checks;
      return [...checks, check].sort((a, b) => a.at.localeCompare(b.at));
    });
  }

  private async updateIndex<T>(folder: string, model: string, change: (entries: T[]) => T[]): Promise<void> {
    const file = this.indexFileFor(folder, model);
    await withFileLock(`${file}.lock`, async () => {
      const entries = (await readJson<T[]>(file)) ?? [];
      await writeFileAtomic(file, JSON.stringify(change(entries)));
    });
  }

  private async indexedModels(folder: string): Promise<string[]> {
    const entries = await readdir(path.join(this.root, folder)).catch(() => [] as string[]);
    return entries.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  }

  private indexFileFor(folder: string, name: string): string {
    checkModelName(name);
    return path.join(this.root, folder, `${name}.json`);
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
    return this.indexFileFor('.segments', name);
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MlopsError('RegistryCorrupt', `registry file ${file} is not valid JSON (truncated, or edited by hand); restore it from a backup, or move it away to drop that model's history`, { path: file });
  }
}
