/**
 * trainingPipeline(spec): ingest → validate → train → evaluate → approval gate → deploy.
 * Deterministic workflow code: activities are imported as types only, time comes from the
 * workflow clock, and every step's inputs and outputs are small artifact references.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  executeChild,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { MlopsActivities } from '../activities/index.js';
import type { TrainResult } from '../activities/train.js';
import type { PipelineSpecInput } from '../src/spec/schema.js';
import { installApprovalGate } from './approval-gate.js';
import { hyperparameterSweep } from './hyperparameter-sweep.js';
import { notifier, type Notify } from './notifier.js';
import { fromPipelineStatus, pipelineTracker, trainerFields } from './run-tracker.js';
import { statusQuery, type Decision, type PipelineResult, type PipelineStage, type PipelineStatus } from './messages.js';
import { prepareSpec } from './prepare-spec.js';
import { MlopsBlessed, MlopsModelName, MlopsModelVersion, MlopsStage } from './search-attributes.js';
import { failureMessage, fourDigits } from './text.js';
import { stepOptions } from './step-options.js';
import { trainingActivityOptions, trainingDescription } from './training-options.js';

const steps = proxyActivities<MlopsActivities>(stepOptions);


/** ingest → validate → train → evaluate → approval gate → deploy, for one spec (the workflow input is the spec itself). */
export async function trainingPipeline(input: PipelineSpecInput): Promise<PipelineResult> {
  const status: PipelineStatus = { stage: 'ingesting', model: typeof input?.name === 'string' ? input.name : '(unnamed)' };
  setHandler(statusQuery, () => status);
  const gate = installApprovalGate(() => status.stage === 'awaiting-approval');
  // Runs are recorded in the registry and events notified since 0.4.0; older histories replay without.
  const teamView = patched('track-runs-and-notify');
  const run = pipelineTracker(status.model, teamView);
  let notify: Notify = notifier(status.model, undefined, false);
  let searchAttributes = false;
  const upsert = (pairs: SearchAttributeUpdatePair[]) => {
    if (searchAttributes) upsertSearchAttributes(pairs);
  };

  const enter = (stage: PipelineStage, details: string) => {
    status.stage = stage;
    setCurrentDetails(`**${stage}** — ${details}`);
    upsert([{ key: MlopsStage, value: stage }]);
    log.info('pipeline stage', { stage, model: status.model });
  };

  try {
    const { spec: validated, specHash, trainingTaskQueue, ...prepared } = await prepareSpec(input);
    let spec = validated;
    notify = notifier(spec.name, spec.notify, teamView);
    await run.save(trainerFields(spec));
    /** Records the run's end and tells the receivers; hands the result back. */
    const ended = async (outcome: 'deployed' | 'rejected', result: PipelineResult) => {
      await run.save({ outcome, ...trainerFields(spec), ...fromPipelineStatus(status) });
      const approval = status.decision?.approval;
      await notify(outcome, result.version, { metrics: result.metrics, ...(approval ? { reviewer: approval.reviewer, comment: approval.comment, reason: approval.reason } : { reasons: result.decision.reasons }) });
      return result;
    };
    searchAttributes = prepared.searchAttributes;
    upsert([{ key: MlopsModelName, value: spec.name }]);
    enter('ingesting', `reading ${spec.data.source ?? 'the data query'} into a snapshot`);
    const dataset = await steps.ingest.executeWithOptions(
      { ...stepOptions, summary: `ingest ${spec.data.source ?? 'query'}` },
      [spec],
    );
    status.dataset = { rows: dataset.rows, sha256: dataset.sha256 };

    enter('validating', `${dataset.rows} rows`);
    const validation = await steps.validate({ spec, dataset });
    status.validation = { rows: validation.rowCount, summary: validation.summary, warnings: [...validation.warnings], report: validation.report?.uri };
    setCurrentDetails(`**validating** — ${validation.summary}`);

    let trained: TrainResult;
    if (spec.sweep) {
      // The sweep trains every trial on this snapshot and hands back the winner, trained.
      enter('training', `hyperparameter sweep (${spec.sweep.method})`);
      const sweep = await executeChild(hyperparameterSweep, { args: [{ spec, dataset, prepared: { trainingTaskQueue } }], workflowId: `${workflowInfo().workflowId}-sweep` });
      trained = sweep.best.training;
      spec = { ...spec, model: sweep.bestModel };
      status.sweep = { trials: sweep.trials.length, best: sweep.best.trial, params: sweep.best.params, metric: sweep.metric, objective: sweep.best.objective ?? Number.NaN };
    } else {
      const { details, summary } = trainingDescription(spec);
      enter('training', details);
      trained = await steps.train.executeWithOptions(trainingActivityOptions(spec, trainingTaskQueue, summary), [{ spec, dataset }]);
    }
    status.training = {
      trainer: spec.model.type,
      backend: trained.backend,
      epochs: trained.epochs,
      loss: trained.loss,
      valLoss: trained.valLoss,
      resumedFromEpoch: trained.resumedFromEpoch,
      stoppedEarly: trained.stoppedEarly,
    };

    enter('evaluating', 'scoring the held-out split');
    const evaluation = await steps.evaluate({ spec, dataset, bundle: trained.bundle });
    status.metrics = evaluation.metrics;
    status.report = evaluation.report;
    const verdict: Decision = { blessed: evaluation.blessed, reasons: evaluation.reasons };
    status.decision = verdict;
    upsert([{ key: MlopsBlessed, value: evaluation.blessed }]);

    if (!evaluation.blessed) {
      enter('rejected', `evaluation failed: ${evaluation.reasons.filter((r) => r.startsWith('FAIL')).join('; ')}`);
      return ended('rejected', finish(status, evaluation.metrics, verdict, null));
    }

    let outcome;
    if (spec.approval.mode === 'auto') {
      outcome = gate.autoApprove();
    } else {
      enter('awaiting-approval', `${metricLine(evaluation.metrics)}. Approve: mlops approve ${workflowInfo().workflowId} --reviewer NAME`);
      await run.save({ outcome: 'awaiting-approval', ...trainerFields(spec), ...fromPipelineStatus(status) });
      await notify('awaiting-approval', null, { metrics: evaluation.metrics, reasons: evaluation.reasons, approve: `mlops approve ${workflowInfo().workflowId} --reviewer NAME` });
      outcome = await gate.wait(spec.approval, evaluation.blessed);
    }
    const decision: Decision = { ...verdict, approval: outcome };
    status.decision = decision;
    if (outcome.decision === 'rejected') {
      enter('rejected', `rejected by ${outcome.reviewer}: ${outcome.reason ?? ''}`);
      return ended('rejected', finish(status, evaluation.metrics, decision, null));
    }

    enter('deploying', `approved by ${outcome.reviewer}`);
    const { version } = await steps.deploy({
      spec,
      specHash,
      dataset,
      bundle: trained.bundle,
      backend: trained.backend,
      metrics: evaluation.metrics,
      lineage: trained.lineage,
      report: evaluation.report,
      // Later runs validate against this model's schema and compare with its statistics.
      schema: validation.schema,
      statistics: validation.statistics,
      approval: {
        decision: outcome.decision === 'auto-approved' ? 'auto-approved' : 'approved',
        reviewer: outcome.reviewer,
        comment: outcome.comment,
        at: outcome.at,
        workflowId: workflowInfo().workflowId,
      },
    });
    upsert([{ key: MlopsModelVersion, value: version }]);
    enter('deployed', `${spec.name} v${version} is in production`);
    return ended('deployed', finish(status, evaluation.metrics, decision, version));
  } catch (err) {
    status.error = failureMessage(err);
    enter('failed', status.error);
    await run.save({ outcome: isCancellation(err) ? 'cancelled' : 'failed', ...fromPipelineStatus(status) });
    if (!isCancellation(err)) await notify('failed', null, { error: status.error });
    throw asWorkflowFailure(err);
  }
}

// A pipeline run finishes on the worker build it started on (Worker Deployment Versioning;
// the behaviour may only be sent by a versioned worker).
setWorkflowOptions(() => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}), trainingPipeline);

function finish(status: PipelineStatus, metrics: PipelineResult['metrics'], decision: Decision, version: number | null): PipelineResult {
  status.version = version;
  return { model: status.model, version, deployed: version !== null, metrics, decision };
}

function metricLine(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${fourDigits(v)}`)
    .join(', ');
}

/** An activity's non-retryable failure becomes the workflow's own, with the same message and type. */
function asWorkflowFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({ message: err.cause.message, type: err.cause.type ?? undefined, nonRetryable: true, cause: err });
  }
  return err;
}
