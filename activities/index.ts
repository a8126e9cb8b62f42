/** All activities of the plugin, wired to their dependencies. */
import type { ActivityDeps } from './deps.js';
import { deployActivity } from './deploy.js';
import { evaluateActivity } from './evaluate.js';
import { ingestActivity } from './ingest.js';
import { livePerformanceActivity } from './live-performance.js';
import { monitorDriftActivity } from './monitor-drift.js';
import { prepareSpecActivity } from './prepare-spec.js';
import { productionReferenceActivity } from './production-reference.js';
import { retrainingSpecActivity } from './retraining-spec.js';
import { rollbackActivity } from './rollback.js';
import { snapshotWindowActivity } from './snapshot-window.js';
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
    productionReference: productionReferenceActivity(deps),
    snapshotWindow: snapshotWindowActivity(deps),
    monitorDrift: monitorDriftActivity(deps),
    livePerformance: livePerformanceActivity(deps),
    rollback: rollbackActivity(deps),
    retrainingSpec: retrainingSpecActivity(deps),
  };
}

export type MlopsActivities = ReturnType<typeof createActivities>;
