/** All activities of the plugin, wired to their dependencies. */
import type { ActivityDeps } from './deps.js';
import { deployActivity } from './deploy.js';
import { evaluateActivity } from './evaluate.js';
import { ingestActivity } from './ingest.js';
import { prepareSpecActivity } from './prepare-spec.js';
import { trainActivity } from './train.js';
import { validateActivity } from './validate.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return {
    prepareSpec: prepareSpecActivity(deps),
    ingest: ingestActivity(deps),
    validate: validateActivity(deps),
    train: trainActivity(deps),
    evaluate: evaluateActivity(deps),
    deploy: deployActivity(deps),
  };
}

export type MlopsActivities = ReturnType<typeof createActivities>;
