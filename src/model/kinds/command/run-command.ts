/**
 * Runs a user's training command as a child process, the way a supervisor would: no shell,
 * its own process group (so cancellation ends everything it started, not just the first
 * process), stdout and stderr read line by line with bounded memory, and the last lines of
 * stderr kept for the error message. Cancellation sends SIGTERM to the group, then SIGKILL
 * after a grace period; once the command exits, whatever it left running in its group is
 * killed too.
 */
import { spawn } from 'node:child_process';
import { MlopsError } from '../../../errors.js';

/** Longest line kept (longer ones are cut, marked with `…`). */
export const MAX_LINE_CHARS = 4096;

/** Lines of stderr an error message quotes. */
export const STDERR_TAIL_LINES = 20;

/** What to run and how. */
export interface CommandRun {
  /** argv; `argv[0]` is looked up on PATH unless it is a path. Not run through a shell. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** The child's whole environment. */
  readonly env: NodeJS.ProcessEnv;
  /** Called with each stdout line, in order, without its line break. */
  readonly onStdout?: (line: string) => void;
  readonly onStderr?: (line: string) => void;
  /** Aborting ends the process group: SIGTERM, then SIGKILL after `graceMs`. */
  readonly signal?: AbortSignal;
  /** How long the group may take to exit after SIGTERM. Default 10 s. */
  readonly graceMs?: number;
}

/** How the command ended. */
export interface CommandExit {
  /** Exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The process id, which was also its process group id. */
  readonly pid: number;
  /** The last {@link STDERR_TAIL_LINES} lines of stderr. */
  readonly stderrTail: readonly string[];
  /** The abort signal fired while it ran. */
  readonly cancelled: boolean;
}

/**
 * Runs the command to its end and resolves with how it ended (any exit code). Rejects with
 * MlopsError('TrainingFailed') when it cannot be started at all (program not found, not
 * executable, missing folder).
 */
export function runCommand(run: CommandRun): Promise<CommandExit> {
  const [program, ...args] = run.argv;
  if (!program) return Promise.reject(new MlopsError('TrainingFailed', 'model.command is empty; give the program and its arguments, e.g. [python3, train.py]'));
  if (run.signal?.aborted) return Promise.reject(abortReason(run.signal));
  return new Promise<CommandExit>((resolve, reject) => {
    const child = spawn(program, args, { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderrTail: string[] = [];
    const stdout = lineSplitter((line) => run.onStdout?.(line));
    const stderr = lineSplitter((line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      run.onStderr?.(line);
    });
    child.stdout.setEncoding('utf8').on('data', stdout.push);
    child.stderr.setEncoding('utf8').on('data', stderr.push);

    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      cancelled = true;
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), run.graceMs ?? 10_000);
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = (): void => {
      clearTimeout(killTimer);
      run.signal?.removeEventListener('abort', onAbort);
    };

    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanUp();
      reject(new MlopsError('TrainingFailed', `cannot start model.command ${JSON.stringify(run.argv)} in ${run.cwd}: ${err.code ?? err.message}${hintFor(err.code)}`, { command: run.argv, cwd: run.cwd }));
    });
    let exit: Pick<CommandExit, 'code' | 'signal'> | undefined;
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      cleanUp();
      // The command is done; anything it started and left running goes with it. Also closes
      // the pipes those processes hold, so 'close' below fires.
      signalGroup(child.pid, 'SIGKILL');
    });
    child.once('close', () => {
      if (!exit || child.pid === undefined) return;
      stdout.flush();
      stderr.flush();
      resolve({ ...exit, pid: child.pid, stderrTail, cancelled });
    });
  });
}

/** Sends `signal` to the process group led by `pid`; a group that is already gone is fine. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already. Nothing else can be done from here either.
  }
}

function hintFor(code: string | undefined): string {
  if (code === 'ENOENT') return ' (the program or the folder does not exist; name a program on PATH or a path relative to the spec file)';
  if (code === 'EACCES') return ' (the program is not executable; chmod +x it or name its interpreter first, e.g. [python3, train.py])';
  return '';
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the command was cancelled', 'AbortError');
}

/** Cuts a text stream into lines; a line longer than {@link MAX_LINE_CHARS} is cut and the rest of it dropped. */
export function lineSplitter(onLine: (line: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let partial = '';
  let overflow = false;
  const emit = (line: string): void => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    push(chunk: string) {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
        const piece = chunk.slice(start, nl);
        if (overflow) emit(`${partial}…`);
        else emit(truncate(partial + piece));
        partial = '';
        overflow = false;
        start = nl + 1;
      }
      if (overflow) return;
      partial += chunk.slice(start);
      if (partial.length > MAX_LINE_CHARS) {
        partial = partial.slice(0, MAX_LINE_CHARS);
        overflow = true;
      }
    },
    flush() {
      if (partial !== '' || overflow) emit(overflow ? `${partial}…` : partial);
      partial = '';
      overflow = false;
    },
  };
}

function truncate(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
}
