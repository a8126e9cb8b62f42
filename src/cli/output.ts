/** Output helpers: JSON on stdout for machines, text for people. */

// `mlops … | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${printable(text)}\n`);
}

/**
 * Text as it may reach a terminal: control characters other than newline and tab (ANSI escape
 * sequences in a tag, a reviewer name, a model's metadata) are shown as `\u001b`, never obeyed.
 */
export function printable(text: string): string {
   
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
export function untilShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
