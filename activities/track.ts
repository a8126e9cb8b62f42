/**
 * Run tracking: the workflows record each pipeline run, sweep trial and monitor check in the
 * registry (src/registry/run-record.ts), where it outlives Temporal's history retention.
 */
import type { MonitorCheckRecord, RunRecord } from '../src/registry/run-record.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export function recordRunActivity(deps: ActivityDeps) {
  return async function recordRun(run: RunRecord): Promise<void> {
    return asFailure(() => deps.registry.saveRun(run));
  };
}

export function recordMonitorCheckActivity(deps: ActivityDeps) {
  return async function recordMonitorCheck(check: MonitorCheckRecord): Promise<void> {
    return asFailure(() => deps.registry.addMonitorCheck(check));
  };
}
