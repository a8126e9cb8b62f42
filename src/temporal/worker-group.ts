/** The workers of one `mlops worker` process (main queue + training queue), run and stopped as one. */
import type { State, Worker } from '@temporalio/worker';

export class WorkerGroup {
  /** The worker of the workflows and short steps; the others only run activities. */
  readonly main: Worker;
  readonly others: readonly Worker[];

  constructor(main: Worker, others: readonly Worker[] = []) {
    this.main = main;
    this.others = others;
  }

  /** The main worker's options (its identity is every worker's: the SDK's default, `pid@host`). */
  get options(): Worker['options'] {
    return this.main.options;
  }

  /** The main worker's state. */
  getState(): State {
    return this.main.getState();
  }

  /**
   * Runs every worker until all have stopped (SIGINT/SIGTERM, {@link shutdown}, or a fatal
   * error); when one fails the others are shut down too, and the first error is thrown.
   */
  async run(): Promise<void> {
    const outcomes = await Promise.allSettled(
      [this.main, ...this.others].map((worker) =>
        worker.run().catch((err: unknown) => {
          this.shutdown();
          throw err;
        }),
      ),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Asks every running worker to stop; in-flight tasks finish first (up to the shutdown grace time). */
  shutdown(): void {
    for (const worker of [this.main, ...this.others]) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }
}
