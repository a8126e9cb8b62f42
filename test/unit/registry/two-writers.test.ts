/**
 * Two processes (think: two workers) writing one model's registry document at the same time:
 * every version lands, numbers are unique and gapless, the history is complete, and no temp
 * or lock file is left behind.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';

const worker = fileURLToPath(new URL('./register-worker.ts', import.meta.url));
const perWriter = 20;

function startWriter(root: string, prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, root, 'race', prefix, String(perWriter)], { stdio: ['pipe', 'pipe', 'inherit'] });
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

describe('registry with two writer processes', () => {
  it('keeps every version, with unique numbers, when two processes race', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'registry-race-'));
    try {
      const writers = [startWriter(root, 'a'), startWriter(root, 'b')];
      await Promise.all(writers.map((w) => w.ready));
      writers.forEach((w) => w.go());
      const [a, b] = await Promise.all(writers.map((w) => w.done));

      const all = [...a!, ...b!].sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 2 * perWriter }, (_, i) => i + 1));
      const model = (await new FileModelRegistry(root).getModel('race'))!;
      expect(model.versions.map((v) => v.version)).toEqual(all);
      expect(new Set(model.versions.map((v) => v.idempotencyKey)).size).toBe(2 * perWriter);
      // Every alias move is in the history. (How the writers interleave depends on scheduling.)
      expect(model.history).toHaveLength(2 * perWriter);
      expect(model.aliases.production).toBe(model.history.at(-1)!.to);
      expect(await readdir(root)).toEqual(['race.json']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
