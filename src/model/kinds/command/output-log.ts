/**
 * The command's output in the worker's log, line by line and bounded: after
 * {@link MAX_LOGGED_LINES} lines (a chatty script printing every batch) the rest is counted,
 * not logged, so a run cannot flood the worker's log. Progress lines are still read.
 */

/** Lines of output one attempt may log. */
export const MAX_LOGGED_LINES = 10_000;

/** The part of a logger the output needs (Temporal's activity logger, pino). */
export interface LineLogger {
  info(message: string, attrs?: Record<string, unknown>): void;
  warn(message: string, attrs?: Record<string, unknown>): void;
}

export class OutputLog {
  private logged = 0;
  private dropped = 0;
  private readonly warned = new Set<string>();

  constructor(private readonly log: LineLogger, private readonly limit = MAX_LOGGED_LINES) {}

  /** Logs one line of the command's output, or counts it once the budget is spent. */
  line(stream: 'stdout' | 'stderr', line: string): void {
    if (this.logged < this.limit) {
      this.logged++;
      this.log.info(line, { command: stream });
      if (this.logged === this.limit) this.log.warn(`the command printed ${this.limit} lines; further output is not logged (progress lines are still read)`);
      return;
    }
    this.dropped++;
  }

  /** A problem with the command's output, said once per distinct message. */
  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.log.warn(message);
  }

  /** Lines not logged because the budget was spent. */
  get droppedLines(): number {
    return this.dropped;
  }
}
