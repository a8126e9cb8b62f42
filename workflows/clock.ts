/**
 * The workflow clock. Inside Temporal's sandbox `Date` is replaced by a deterministic clock
 * that replays the time recorded in history; this is the one place workflow code reads it.
 */
export function workflowNow(): number {
  return new Date().getTime();
}
