import { describe, expect, it } from 'vitest';
import { monitorSummary, pipelineSummary } from '../../../src/report/status-summary.js';
import type { MonitorStatus } from '../../../workflows/monitor-messages.js';
import type { PipelineStatus } from '../../../workflows/messages.js';

describe('mlops status, for people', () => {
  it('summarises a pipeline awaiting approval: data, training, metrics, the decision and what to run next', () => {
    const status: PipelineStatus = {
      stage: 'awaiting-approval',
      model: 'taxi',
      dataset: { rows: 3000, sha256: 'ab12cd34ef56ab12cd34ef56' },
      validation: { rows: 3000, summary: '3000 rows, 4 columns: 0 errors, 1 warning', warnings: ['hour: 2 values outside 0–23'] },
      training: { backend: 'wasm', epochs: 20, loss: 12.3456, valLoss: 13.1, resumedFromEpoch: 5 },
      metrics: { rmse: 3.14159, mae: 2.5 },
      decision: { blessed: true, reasons: ['rmse 3.142 ≤ 8 (threshold)'] },
    };
    const text = pipelineSummary({ workflowId: 'train-1', type: 'trainingPipeline', execution: 'RUNNING' }, status);
    expect(text.split('\n')).toEqual([
      'train-1  trainingPipeline  RUNNING',
      '  stage      awaiting-approval',
      '  model      taxi',
      '  dataset    3000 rows (sha256 ab12cd34ef56)',
      '  validation 3000 rows, 4 columns: 0 errors, 1 warning',
      '    warning: hour: 2 values outside 0–23',
      '  training   20 epochs on wasm, loss 12.35, val loss 13.1, resumed from epoch 5',
      '  metrics    rmse 3.142, mae 2.5',
      '  decision   blessed',
      '    - rmse 3.142 ≤ 8 (threshold)',
      '  next       mlops approve train-1 --reviewer NAME   or   mlops reject train-1 --reviewer NAME --reason TEXT',
    ]);
  });

  it('says who approved and which version is in production', () => {
    const status: PipelineStatus = {
      stage: 'deployed',
      model: 'taxi',
      decision: { blessed: true, reasons: [], approval: { decision: 'approved', reviewer: 'ana', comment: 'ship it', at: '2026-12-03T09:00:00.000Z' } },
      version: 3,
    };
    const text = pipelineSummary({ workflowId: 'train-2', type: 'trainingPipeline', execution: 'COMPLETED' }, status);
    expect(text).toContain('  approval   approved by ana at 2026-12-03T09:00:00.000Z: "ship it"');
    expect(text).toContain('  version    v3 in production');
    expect(text).not.toContain('next');
  });

  it('summarises a monitor: policy, the last drift check per feature, live metrics and recent decisions', () => {
    const status: MonitorStatus = {
      stage: 'monitoring',
      model: 'taxi',
      paused: true,
      policy: { interval: '1h', driftThreshold: 0.2, decayMargin: 0.2, rollbackMargin: 0.1, cooldown: '6h', checksPerRun: 100 },
      checks: 7,
      nextCheckAt: '2026-12-03T10:00:00.000Z',
      lastDrift: {
        at: '2026-12-03T09:00:00.000Z',
        rows: 300,
        datasetDrift: true,
        shareDrifted: 0.5,
        features: [
          { feature: 'trip_distance', test: 'ks', score: 0.0001, threshold: 0.05, drifted: true },
          { feature: 'hour', test: 'ks', score: 0.4, threshold: 0.05, drifted: false },
        ],
      },
      livePerformance: { '2': { rmse: 9.5 } },
      decisions: [{ at: '2026-12-03T09:00:00.000Z', action: 'retrain', reasons: ['drift: 50% of features drifted (policy 20%)'], productionVersion: 1, retrainWorkflowId: 'm-retrain-7', deployedVersion: 2 }],
      retrainWorkflowId: null,
      warnings: [],
    };
    const lines = monitorSummary({ workflowId: 'monitor-taxi', type: 'continuousTraining', execution: 'RUNNING' }, status).split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'monitor-taxi  continuousTraining  RUNNING',
      '  stage      monitoring (paused)',
      '  model      taxi',
      '  checks     7; next at 2026-12-03T10:00:00.000Z',
      '  policy     every 1h; retrain at 20% of features drifted or 20% decay; roll back at 10% worse; cooldown 6h',
      '  drift      2026-12-03T09:00:00.000Z: 1 of 2 features drifted (50%) on 300 rows, dataset drift',
    ]);
    expect(lines).toContain('    trip_distance  ks    0.0001       0.05  yes');
    expect(lines).toContain('  live v2    rmse 9.5');
    expect(lines.at(-1)).toBe('    2026-12-03T09:00:00.000Z  retrain → v2  v1          drift: 50% of features drifted (policy 20%)');
  });
});
