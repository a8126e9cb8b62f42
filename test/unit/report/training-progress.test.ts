import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { trainingProgressText } from '../../../src/report/training-progress.js';

const pending = (details: unknown, attempt = 1, name = 'train') => [{ activityType: { name }, attempt, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload(details)] } }];

describe('trainingProgressText', () => {
  it("shows a command's progress object, the attempt and the checkpoint's epoch", () => {
    expect(trainingProgressText(pending({ progress: { epoch: 3, loss: 0.123456, phase: 'fine-tune' }, checkpointEpoch: 3 }, 2))).toBe('epoch 3, loss 0.1235, phase fine-tune (attempt 2, checkpoint of epoch 3)');
  });

  it("shows the built-in MLP's epoch and losses, not its checkpoint reference", () => {
    expect(trainingProgressText(pending({ epoch: 5, loss: 1.5, valLoss: 2, checkpoint: { uri: 'file:///x', sha256: 'a', bytes: 1 } }))).toBe('epoch 5, loss 1.5, valLoss 2');
  });

  it('says nothing when no train step runs or it reported nothing yet', () => {
    expect(trainingProgressText(undefined)).toBeUndefined();
    expect(trainingProgressText(pending({ epoch: 1 }, 1, 'evaluate'))).toBeUndefined();
    expect(trainingProgressText([{ activityType: { name: 'train' } }])).toBeUndefined();
  });
});
