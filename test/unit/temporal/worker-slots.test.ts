import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { activitySlots, resourceController, workerTuner } from '../../../src/temporal/worker-slots.js';
import { trainingQueueOf } from '../../../src/temporal/worker.js';

describe('worker slots', () => {
  it('default to the cores for training and twice that for the other steps', () => {
    const config = loadConfig({});
    expect(config.trainingSlots).toBe(os.availableParallelism());
    expect(config.stepSlots).toBe(2 * os.availableParallelism());
    expect(loadConfig({ MLOPS_TRAINING_SLOTS: '3', MLOPS_STEP_SLOTS: ' 12 ' })).toMatchObject({ trainingSlots: 3, stepSlots: 12 });
  });

  it('refuse a count that is not a whole number from 1, naming the variable', () => {
    for (const bad of ['0', '-1', '1.5', 'two', '99999']) {
      expect(() => loadConfig({ MLOPS_TRAINING_SLOTS: bad })).toThrow(new RegExp(`MLOPS_TRAINING_SLOTS="${bad.replace('.', '\\.')}" is not a number of slots`));
    }
    expect(() => loadConfig({ MLOPS_STEP_SLOTS: '0' })).toThrow(/MLOPS_STEP_SLOTS="0".*whole number from 1/);
  });

  it('bound activities with resource-based slots under one controller, the rest as the SDK does', () => {
    const controller = resourceController();
    const tuner = workerTuner(activitySlots(controller, 4));
    expect(tuner.activityTaskSlotSupplier).toMatchObject({ type: 'resource-based', minimumSlots: 1, maximumSlots: 4, controller });
    expect(tuner.workflowTaskSlotSupplier).toEqual({ type: 'fixed-size', numSlots: 40 });
    // A minimum above the maximum is cut to it.
    expect(activitySlots(controller, 1, 2)).toMatchObject({ minimumSlots: 1, maximumSlots: 1 });
    expect(trainingQueueOf('mlops')).toBe('mlops-training');
  });
});
