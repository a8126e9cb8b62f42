/**
 * The console's server time per page with 1,000 runs and 100 versions (issue 21's target:
 * < 200 ms each): each page rendered through fastify's inject() (no network), median of 15,
 * on a file registry seeded by test/console/seed-registry.ts. The baseline is the registry
 * read the runs page starts with (listRuns of every run), measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildConsole } from '../src/console/server.js';
import { FileArtifactStore } from '../src/registry/artifact-store.js';
import { FileModelRegistry } from '../src/registry/file-registry.js';
import { seedRegistry } from '../test/console/seed-registry.js';
import { timeMedianMs, type BenchResult } from './harness.js';

const suite = 'console';

export default async function consoleBench(): Promise<BenchResult[]> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-bench-console-'));
  try {
    const registry = new FileModelRegistry(path.join(home, 'registry'));
    const { model, sweep } = await seedRegistry(registry, { models: 5, versions: 100, runs: 1000, trials: 40, checks: 500 });
    const app = await buildConsole({
      registry,
      store: new FileArtifactStore(path.join(home, 'artifacts')),
      auth: { tokens: new Map([['bench-token-0123456789', 'ana']]) },
      temporal: () => Promise.reject(new Error('no Temporal in this benchmark')),
      temporalUiUrl: 'http://localhost:8233',
      namespace: 'default',
    });
    const runs = await registry.listRuns({ model, kind: 'pipeline', limit: 3 });
    const pages: Record<string, string> = {
      models: '/',
      model: `/models/${model}`,
      runs: '/runs',
      'runs (one model, by rmse)': `/runs?model=${model}&sort=rmse&order=asc`,
      compare: `/runs/compare?${runs.map((r) => `id=${encodeURIComponent(r.id)}`).join('&')}`,
      sweep: `/runs/sweeps/${sweep}`,
      monitoring: `/models/${model}/monitoring`,
      approvals: '/approvals',
    };
    const baseline = await timeMedianMs(15, () => registry.listRuns());
    const results: BenchResult[] = [];
    for (const [name, url] of Object.entries(pages)) {
      const check = await app.inject({ url, headers: { authorization: 'Bearer bench-token-0123456789' } });
      if (check.statusCode !== 200) throw new Error(`${url} answered ${check.statusCode}: ${check.body.slice(0, 300)}`);
      const ms = await timeMedianMs(15, () => app.inject({ url, headers: { authorization: 'Bearer bench-token-0123456789' } }));
      results.push({
        suite,
        name: `${name} page server time (1,000 runs, 100 versions)`,
        unit: 'ms',
        value: ms,
        baseline: { name: 'listRuns (all runs)', value: baseline },
        ratio: ms / baseline,
        target: '< 200 ms',
        pass: ms < 200,
        note: `${url}, ${Math.round(check.body.length / 1024)} KiB`,
      });
    }
    await app.close();
    return results;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
