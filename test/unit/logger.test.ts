import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFormat } from '../../src/logger.js';

/** Logs one line from a fresh process in the given format; returns both streams. */
function logOnce(format: string): { stdout: string; stderr: string } {
  const script = "import('./src/logger.ts').then(({ createLogger }) => createLogger('demo').info({ model: 'taxi' }, 'deployed v2'))";
  // tsx itself, not through npx: npm prints its own warnings on stderr (e.g. about .npmrc keys it does not know).
  const { stdout, stderr } = spawnSync(path.resolve('node_modules/.bin/tsx'), ['-e', script], { env: { ...process.env, MLOPS_LOG_FORMAT: format, MLOPS_LOG_LEVEL: 'info' }, encoding: 'utf8' });
  return { stdout, stderr };
}

describe('log format', () => {
  it('is readable on a terminal and JSON elsewhere, unless MLOPS_LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ MLOPS_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ MLOPS_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('writes pretty lines for people and JSON lines for machines, on stderr only', () => {
    const readable = logOnce('pretty');
    expect(readable.stdout).toBe('');
    expect(readable.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] INFO \(demo\): deployed v2 {"model":"taxi"}\n$/);
    const json = logOnce('json');
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr.trim())).toMatchObject({ level: 30, name: 'demo', model: 'taxi', msg: 'deployed v2' });
  });
});
