/**
 * Heartbeats while a step runs. With a heartbeat timeout on every step, the server notices a
 * step whose worker died, or whose result the worker dropped (it retries a completion for about
 * 20 s while Temporal is down, then gives up), within that timeout instead of the 30-minute
 * start-to-close, and runs the step again. Steps are idempotent: artifacts are content-addressed
 * and deploy registers a workflow run's version once.
 */
import { Context } from '@temporalio/activity';

/** Heartbeats go out at least this often, however long the heartbeat timeout. */
const maxKeepAliveMs = 5_000;

/** A third of the heartbeat timeout (capped), so two heartbeats may be lost before the server gives up. */
export function keepAliveMs(ctx: Context): number {
  return Math.min(maxKeepAliveMs, Math.max(250, (ctx.info.heartbeatTimeoutMs ?? maxKeepAliveMs * 3) / 3));
}

/**
 * `step`, heartbeating (without details) from start to end. Local activities have no heartbeats
 * and run as they are. Not for steps that heartbeat progress of their own (train): a bare
 * heartbeat would replace the details a retry resumes from.
 */
export function withKeepAlive<A extends unknown[], R>(step: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const ctx = Context.current();
    if (ctx.info.isLocal) return step(...args);
    ctx.heartbeat();
    const timer = setInterval(() => ctx.heartbeat(), keepAliveMs(ctx));
    try {
      return await step(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
