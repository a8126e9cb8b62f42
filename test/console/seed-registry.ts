/**
 * A registry that looks used: models with versions, aliases moved by deploys and a rollback,
 * pipeline runs of every outcome, a sweep's trials, and monitor checks with drift and live
 * metrics. The console's tests and its benchmark (bench/console.bench.ts) read it.
 */
import type { ArtifactRef } from '../../src/registry/artifact-store.js';
import type { ModelRegistry } from '../../src/registry/model-registry.js';
import type { MonitorCheckRecord, RunOutcome, RunRecord } from '../../src/registry/run-record.js';

export interface SeedSize {
  readonly models: number;
  /** Versions of the first model (the others get 3). */
  readonly versions: number;
  /** Pipeline runs in all, spread over the models, plus `trials` sweep trials of the first model. */
  readonly runs: number;
  readonly trials: number;
  readonly checks: number;
}

const ref = (seed: string): ArtifactRef => ({ uri: `file:///seed/${seed}`, sha256: seed.padEnd(64, '0').slice(0, 64), bytes: 1 });
const at = (minutes: number) => new Date(Date.UTC(2024, 4, 1) + minutes * 60_000).toISOString();
const outcomes: RunOutcome[] = ['deployed', 'rejected', 'failed', 'deployed', 'cancelled', 'rejected'];

/** Fills `registry` deterministically; returns the first model's name and the sweep's workflow ID. */
export async function seedRegistry(registry: ModelRegistry, size: SeedSize): Promise<{ model: string; sweep: string }> {
  const names = Array.from({ length: size.models }, (_, i) => (i === 0 ? 'taxi-duration' : `model-${i}`));
  for (const [m, name] of names.entries()) {
    const count = m === 0 ? size.versions : 3;
    for (let v = 1; v <= count; v++) {
      const hex = (v * 7919 + m).toString(16);
      await registry.registerVersion(name, {
        bundle: ref(`b${hex}`),
        metrics: { rmse: 5 - 2 * Math.log10(v + 1) + ((v * 37) % 10) / 40, mae: 3 - Math.log10(v + 1), r2: 0.5 + v / (count * 4) },
        idempotencyKey: `${name}-${v}`,
        lineage: { dataset: ref(`d${hex}`), specHash: 'f'.repeat(64), workflowId: `train-${name}-${v}`, runId: `run-${v}`, hyperparameters: { hiddenUnits: [16 * (1 + (v % 3))], learningRate: 0.001 * (1 + (v % 4)), epochs: 10 } },
        approval: { decision: v % 2 ? 'approved' : 'auto-approved', reviewer: v % 2 ? 'ana' : 'auto', at: at(v * 60), workflowId: `train-${name}-${v}` },
      });
      await registry.setAlias(name, 'production', v, { actor: v % 2 ? 'ana' : 'auto', action: 'deploy', reason: `deployed by workflow train-${name}-${v}` });
    }
    if (count > 1) await registry.rollback(name, { actor: 'continuousTraining', reason: 'live rmse 20% worse than the previous version' });
  }
  const runs: RunRecord[] = [];
  for (let i = 0; i < size.runs; i++) {
    const model = names[i % names.length] as string;
    const outcome: RunOutcome = i === size.runs - 1 ? 'awaiting-approval' : (outcomes[i % outcomes.length] as RunOutcome);
    runs.push({
      id: `train-${model}-r${i}/run-${i}`,
      kind: 'pipeline',
      model,
      workflowId: `train-${model}-r${i}`,
      runId: `run-${i}`,
      startedAt: at(i * 30),
      ...(outcome === 'awaiting-approval' ? {} : { endedAt: at(i * 30 + 4) }),
      outcome,
      trainer: 'mlp',
      hyperparameters: { hiddenUnits: [16 * (1 + (i % 3))], learningRate: 0.001 * (1 + (i % 4)), epochs: 10 + (i % 2) * 10, batchSize: 256 },
      metrics: outcome === 'failed' || outcome === 'cancelled' ? undefined : { rmse: 4 + ((i * 37) % 100) / 50, mae: 2 + ((i * 13) % 100) / 80, r2: 0.4 + ((i * 7) % 50) / 100 },
      datasetSha256: `${(i % 5).toString(16)}`.padEnd(64, 'a'),
      ...(outcome === 'deployed' ? { version: 1 + (i % size.versions) } : {}),
      ...(outcome === 'failed' ? { reason: 'column "trip_distance" is missing' } : outcome === 'rejected' ? { reason: 'FAIL rmse 6.1 > 6' } : {}),
    });
  }
  const sweep = 'train-taxi-duration-sweep';
  for (let t = 1; t <= size.trials; t++) {
    const params = { hiddenUnits: [[16], [32], [64]][t % 3], learningRate: 0.0005 * t, batchSize: [64, 128, 256][t % 3] };
    runs.push({
      id: `${sweep}-sweep/sweep-run/trial-${t}`,
      kind: 'trial',
      model: names[0] as string,
      workflowId: `${sweep}-sweep`,
      runId: 'sweep-run',
      parentWorkflowId: sweep,
      trial: t,
      startedAt: at(size.runs * 30 + t),
      endedAt: at(size.runs * 30 + t + 1),
      outcome: 'completed',
      trainer: 'mlp',
      hyperparameters: { epochs: 10, ...params },
      metrics: { rmse: 4 + Math.abs(Math.log(params.learningRate / 0.004)) + (t % 3) * 0.1 },
    });
  }
  for (const run of runs) await registry.saveRun(run);
  for (let c = 0; c < size.checks; c++) {
    const share = Math.min(1, Math.max(0, 0.1 + 0.5 * Math.sin(c / 6) ** 2));
    const drifted = share >= 0.3;
    const check: MonitorCheckRecord = {
      model: names[0] as string,
      workflowId: 'monitor-taxi-duration',
      runId: `monitor-run-${Math.floor(c / 100)}`,
      at: at(c * 60),
      action: drifted ? (c % 3 ? 'retrain' : 'skipped') : c === 7 ? 'rollback' : 'none',
      reasons: drifted ? [`drift: ${Math.round(share * 100)}% of features drifted (policy 30%)`] : ['no drift or decay beyond the policy'],
      productionVersion: size.versions,
      drift: {
        rows: 1000,
        shareDrifted: share,
        datasetDrift: drifted,
        threshold: 0.3,
        features: ['trip_distance', 'hour', 'PULocationID'].map((feature, f) => ({ feature, test: f === 2 ? 'chisquare' : 'wasserstein', score: share * (1 + f / 3), threshold: 0.1, drifted: share * (1 + f / 3) > 0.3 })),
      },
      live: { [String(size.versions)]: { rmse: 4.2 + share, mae: 2.5 + share / 2 } },
    };
    await registry.addMonitorCheck(check);
  }
  return { model: names[0] as string, sweep };
}
