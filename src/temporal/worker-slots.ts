/**
 * How many tasks of each kind one worker process takes at once (Temporal's worker tuner).
 *
 * A worker only polls for a task once its slot supplier hands out a slot, so work beyond the
 * bound stays in the task queue, where any other worker may take it, and no heartbeat timeout
 * runs for it (that clock starts when a worker starts the task). Activities get resource-based
 * slots: at least `minimumSlots`, at most the configured count, and more than the minimum only
 * while the host stays under the CPU and memory targets. All workers of a process share one
 * controller, so training and the short steps answer to the same targets.
 */
import { ResourceBasedController, type SlotSupplier, type TunerHolder, type ActivitySlotInfo } from '@temporalio/worker';

/** Share of the host's CPU and memory above which a worker takes no activity past its minimum. */
export const resourceTargets = { targetCpuUsage: 0.9, targetMemoryUsage: 0.8 } as const;

/** The SDK's defaults for the task kinds we do not bound (its `maxConcurrent*` options). */
const unbounded = { workflowTasks: 40, localActivities: 100, nexusTasks: 100 } as const;

/** One controller per process: the resource targets hold for all its workers together. */
export function resourceController(): ResourceBasedController {
  return ResourceBasedController.create(resourceTargets);
}

/**
 * Activity slots between `minimum` and `maximum`, handed out past the minimum only while the
 * host is under {@link resourceTargets}.
 */
export function activitySlots(controller: ResourceBasedController, maximum: number, minimum = 1): SlotSupplier<ActivitySlotInfo> {
  return { type: 'resource-based', controller, minimumSlots: Math.min(minimum, maximum), maximumSlots: maximum, rampThrottle: '50ms' };
}

/** A tuner that bounds activities with `activities` and leaves the other task kinds at the SDK's defaults. */
export function workerTuner(activities: SlotSupplier<ActivitySlotInfo>): TunerHolder {
  return {
    workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: unbounded.workflowTasks },
    activityTaskSlotSupplier: activities,
    localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: unbounded.localActivities },
    nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: unbounded.nexusTasks },
  };
}
