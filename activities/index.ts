/** All activities of the plugin, wired to their dependencies. */
import type { ActivityDeps } from './deps.js';
import { deployActivity } from './deploy.js';
import { evaluateActivity } from './evaluate.js';
import { ingestActivity } from './ingest.js';
import { withKeepAlive } from './keep-alive.js';
import { livePerformanceActivity } from './live-performance.js';
import { monitorDriftActivity } from './monitor-drift.js';
import { deliverWebhookActivity } from './notify.js';
import { prepareSpecActivity } from './prepare-spec.js';
import { productionReferenceActivity } from './production-reference.js';
import { retrainingSpecActivity } from './retraining-spec.js';
import { rollbackActivity } from './rollback.js';
import { snapshotWindowActivity } from './snapshot-window.js';
import { recordMonitorCheckActivity, recordRunActivity } from './track.js';
import { trainActivity } from './train.js';
import { validateActivity } from './validate.js';

export type { ActivityDeps } from './deps.js';

/** All activities of the plugin, wired to their dependencies (what `MlopsPlugin` registers). */
export function createActivities(deps: ActivityDeps) {
  return {
    // A local activity (no heartbeats) except where 0.1.0 histories replay its remote form.
    prepareSpec: withKeepAlive(prepareSpecActivity(deps)),
    ingest: withKeepAlive(ingestActivity(deps)),
    validate: withKeepAlive(validateActivity(deps)),
    // Heartbeats its progress (the checkpoint a retry resumes from) itself.
    train: trainActivity(deps),
    evaluate: withKeepAlive(evaluateActivity(deps)),
    deploy: withKeepAlive(deployActivity(deps)),
    productionReference: withKeepAlive(productionReferenceActivity(deps)),
    snapshotWindow: withKeepAlive(snapshotWindowActivity(deps)),
    monitorDrift: withKeepAlive(monitorDriftActivity(deps)),
    livePerformance: withKeepAlive(livePerformanceActivity(deps)),
    rollback: withKeepAlive(rollbackActivity(deps)),
    retrainingSpec: withKeepAlive(retrainingSpecActivity(deps)),
    // Short registry writes, run as local activities.
    recordRun: recordRunActivity(deps),
    recordMonitorCheck: recordMonitorCheckActivity(deps),
    // One POST with a time limit; the notification workflow retries it.
    deliverWebhook: deliverWebhookActivity(),
  };
}

/** The activities' types, for `proxyActivities<MlopsActivities>()` in workflow code. */
export type MlopsActivities = ReturnType<typeof createActivities>;
