/** The error of a command that exited with a failure: its exit code or signal and the end of its stderr. */
import { MlopsError } from '../../../errors.js';
import type { CommandExit } from './run-command.js';

/**
 * A retryable MlopsError('CommandFailed'): a crash may be transient (a lost GPU, memory), so
 * the spec's retry policy applies. The message quotes the last lines of stderr.
 */
export function commandFailure(argv: readonly string[], exit: Pick<CommandExit, 'code' | 'signal' | 'stderrTail'>): MlopsError {
  const how = exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal ?? 'a signal'}${exit.signal === 'SIGKILL' ? ' (out of memory?)' : ''}`;
  const tail = exit.stderrTail.length > 0 ? `; the last lines of its stderr:\n${exit.stderrTail.map((l) => `  ${l}`).join('\n')}` : '; it wrote nothing to stderr';
  return new MlopsError('CommandFailed', `model.command ${JSON.stringify(argv)} ${how}${tail}`, {
    command: [...argv],
    exitCode: exit.code,
    signal: exit.signal,
    stderr: [...exit.stderrTail],
  });
}
