/** Output helpers: JSON on stdout for machines, text for people. */
import { printable } from '../printable.js';

// `mlops … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One line for people; control characters (ANSI escapes in a tag, a name) are shown escaped, never obeyed. */
export function printLine(text = ''): void {
  process.stdout.write(`${printable(text, true)}\n`);
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
export function untilShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
