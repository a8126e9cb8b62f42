/**
 * Two processes (think: two workers on two hosts) writing one model's registry document at the
 * same time, for any backend: every version lands, numbers are unique and gapless, and the
 * alias history is complete.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { openRegistry } from '../../../src/registry/open.js';

const worker = fileURLToPath(new URL('./register-worker.ts', import.meta.url));
const perWriter = 20;

function startWriter(location: string, prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, location, 'race', prefix, String(perWriter)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.startsWith('ready\n')) resolve();
    });
  });
  const done = new Promise<number[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[1]!) as number[]) : reject(new Error(`writer ${prefix} exited with ${code}`))));
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

/** Races two writer processes on the registry at `location` (a folder or postgres:// URL) and checks the result. */
export async function raceTwoWriters(location: string): Promise<void> {
  const writers = [startWriter(location, 'a'), startWriter(location, 'b')];
  await Promise.all(writers.map((w) => w.ready));
  writers.forEach((w) => w.go());
  const [a, b] = await Promise.all(writers.map((w) => w.done));

  const all = [...a!, ...b!].sort((x, y) => x - y);
  expect(all).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 1));
  const registry = openRegistry(loadConfig({ MLOPS_REGISTRY: location }));
  try {
    const model = (await registry.getModel('race'))!;
    expect(model.versions.map((v) => v.version)).toEqual(all);
    expect(new Set(model.versions.map((v) => v.idempotencyKey)).size).toBe(2 * perWriter);
    // Every alias move is in the history. (How the writers interleave depends on scheduling.)
    expect(model.history).toHaveLength(2 * perWriter);
    expect(model.aliases.production).toBe(model.history.at(-1)!.to);
  } finally {
    await registry.close();
  }
}
