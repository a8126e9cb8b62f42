/** The process runner against real processes (sh, sleep): lines, exit codes, process groups. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lineSplitter, MAX_LINE_CHARS, runCommand, STDERR_TAIL_LINES } from '../../../../src/model/kinds/command/run-command.js';

/** Whether the process runs (a zombie, killed but not yet reaped by a container's init, does not). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('runCommand', () => {
  it('streams stdout and stderr line by line and reports the exit code with the last stderr lines', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const script = `echo one; printf 'two\\nthree'; for i in $(seq 1 30); do echo "err $i" >&2; done; exit 3`;
    const exit = await runCommand({ argv: ['sh', '-c', script], cwd: process.cwd(), env: process.env, onStdout: (l) => out.push(l), onStderr: (l) => err.push(l) });
    expect(out).toEqual(['one', 'two', 'three']);
    expect(err).toHaveLength(30);
    expect(exit).toMatchObject({ code: 3, signal: null, cancelled: false });
    expect(exit.stderrTail).toHaveLength(STDERR_TAIL_LINES);
    expect(exit.stderrTail.at(-1)).toBe('err 30');
  });

  it('runs in the given folder with exactly the given environment, without a shell', async () => {
    const out: string[] = [];
    await runCommand({ argv: ['sh', '-c', 'pwd; echo "$ONLY"; echo "${HOME:-none}"', '$(whoami)'], cwd: '/tmp', env: { ONLY: 'yes', PATH: process.env.PATH }, onStdout: (l) => out.push(l) });
    expect(out).toEqual(['/tmp', 'yes', 'none']);
  });

  it('says why a command cannot start', async () => {
    await expect(runCommand({ argv: ['no-such-program-mlops'], cwd: process.cwd(), env: process.env })).rejects.toMatchObject({ type: 'TrainingFailed', message: expect.stringContaining('ENOENT') });
    await expect(runCommand({ argv: [], cwd: process.cwd(), env: process.env })).rejects.toMatchObject({ message: expect.stringContaining('model.command is empty') });
  });

  it('ends the whole process group on abort: SIGTERM, then SIGKILL for what ignores it', async () => {
    const pids: number[] = [];
    const controller = new AbortController();
    // A child that ignores SIGTERM and a grandchild sleeping in the background.
    const script = `trap '' TERM; sleep 300 & echo $$; echo $!; while true; do sleep 1; done`;
    const started = Date.now();
    const run = runCommand({ argv: ['sh', '-c', script], cwd: process.cwd(), env: process.env, graceMs: 500, signal: controller.signal, onStdout: (l) => {
      pids.push(Number(l));
      if (pids.length === 2) controller.abort();
    } });
    const exit = await run;
    expect(exit.cancelled).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(pids.map(alive)).toEqual([false, false]);
  });

  it('kills what a finished command left running in its group', async () => {
    const pids: number[] = [];
    const exit = await runCommand({ argv: ['sh', '-c', 'sleep 300 & echo $!; exit 0'], cwd: process.cwd(), env: process.env, onStdout: (l) => pids.push(Number(l)) });
    expect(exit.code).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(pids).toHaveLength(1);
    expect(alive(pids[0] as number)).toBe(false);
  });
});

describe('lineSplitter', () => {
  it('joins lines across chunks, strips \\r and cuts overlong lines', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split.push('ab');
    split.push('c\r\nd');
    split.push(`\n${'x'.repeat(MAX_LINE_CHARS + 10)}`);
    split.push(`${'y'.repeat(10)}\nlast`);
    split.flush();
    expect(lines[0]).toBe('abc');
    expect(lines[1]).toBe('d');
    expect(lines[2]).toHaveLength(MAX_LINE_CHARS + 1);
    expect(lines[2]?.endsWith('…')).toBe(true);
    expect(lines[3]).toBe('last');
  });
});
