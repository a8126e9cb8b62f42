/** Moves `production` back to an earlier version, recording who (the monitor) and why. */
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export function rollbackActivity(deps: ActivityDeps) {
  return async function rollback(input: { name: string; toVersion: number; reason: string }): Promise<{ version: number }> {
    return asFailure(async () => {
      await deps.registry.setAlias(input.name, 'production', input.toVersion, { actor: 'continuousTraining', reason: input.reason, action: 'rollback' });
      return { version: input.toVersion };
    });
  };
}
