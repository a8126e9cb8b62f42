/**
 * `mlops status` for people: a few labelled lines per workflow, from its `status` query. A
 * training pipeline shows its stage, data, training, metrics, the decision and what to do next;
 * a monitor shows its policy, the last drift check, live performance and recent decisions.
 */
import type { MonitorDecision, MonitorStatus } from '../../workflows/monitor-messages.js';
import type { PipelineStatus } from '../../workflows/messages.js';
import { fourDigits } from '../shared/numbers.js';
import { textTable } from './text-table.js';

/** What the CLI knows of a workflow besides its status query. */
export interface WorkflowHeading {
  readonly workflowId: string;
  /** `trainingPipeline`, `continuousTraining`, … */
  readonly type: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  readonly execution: string;
}

const decisionsShown = 5;

/** `rmse 4.974, mae 3.103`: metrics as a person reads them. */
export function metricsText(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics).map(([k, v]) => `${k} ${fourDigits(v)}`).join(', ');
}

export function pipelineSummary(heading: WorkflowHeading, s: PipelineStatus): string {
  const lines = [headingLine(heading), field('stage', s.stage), field('model', s.model)];
  if (s.dataset) lines.push(field('dataset', `${s.dataset.rows} rows (sha256 ${s.dataset.sha256.slice(0, 12)})`));
  if (s.validation) {
    lines.push(field('validation', `${s.validation.summary}${s.validation.report ? `; report ${s.validation.report}` : ''}`));
    for (const w of s.validation.warnings) lines.push(`    warning: ${w}`);
  }
  if (s.training) lines.push(field('training', trainingLine(s.training)));
  if (s.sweep) lines.push(field('sweep', `${s.sweep.trials} trials, best #${s.sweep.best} ${JSON.stringify(s.sweep.params)} (${s.sweep.metric} ${fourDigits(s.sweep.objective)})`));
  if (s.metrics && Object.keys(s.metrics).length > 0) lines.push(field('metrics', metricsText(s.metrics)));
  if (s.report) lines.push(field('report', s.report.uri));
  if (s.decision) {
    lines.push(field('decision', s.decision.blessed ? 'blessed' : 'not blessed'));
    for (const reason of s.decision.reasons) lines.push(`    - ${reason}`);
    const a = s.decision.approval;
    if (a) lines.push(field('approval', `${a.decision} by ${a.reviewer} at ${a.at}${a.comment ? `: "${a.comment}"` : ''}${a.reason ? ` (reason: ${a.reason})` : ''}`));
  }
  if (s.version !== undefined) lines.push(field('version', s.version === null ? 'none registered' : `v${s.version}${s.stage === 'deployed' ? ' in production' : ''}`));
  if (s.error) lines.push(field('error', s.error));
  if (s.stage === 'awaiting-approval') {
    lines.push(field('next', `mlops approve ${heading.workflowId} --reviewer NAME   or   mlops reject ${heading.workflowId} --reviewer NAME --reason TEXT`));
  }
  return lines.join('\n');
}

export function monitorSummary(heading: WorkflowHeading, s: MonitorStatus): string {
  const p = s.policy;
  const lines = [
    headingLine(heading),
    field('stage', `${s.stage}${s.paused ? ' (paused)' : ''}${s.retrainWorkflowId ? `: ${s.retrainWorkflowId}` : ''}`),
    field('model', s.model),
    field('checks', `${s.checks}${s.nextCheckAt ? `; next at ${s.nextCheckAt}` : ''}`),
    field('policy', `every ${p.interval}; retrain at ${pct(p.driftThreshold)} of features drifted or ${pct(p.decayMargin)} decay; roll back at ${pct(p.rollbackMargin)} worse; cooldown ${p.cooldown}`),
  ];
  const d = s.lastDrift;
  if (d) {
    const drifted = d.features.filter((f) => f.drifted).length;
    lines.push(field('drift', `${d.at}: ${drifted} of ${d.features.length} features drifted (${pct(d.shareDrifted)}) on ${d.rows} rows${d.datasetDrift ? ', dataset drift' : ''}`));
    if (d.features.length > 0) {
      lines.push(indent(textTable(['feature', 'test', 'score', 'threshold', 'drifted'], d.features.map((f) => [f.feature, f.test, f.score, f.threshold, f.drifted ? 'yes' : 'no']))));
    }
    if (d.report) lines.push(`    report ${d.report}`);
  } else {
    lines.push(field('drift', 'not measured yet'));
  }
  if (s.livePerformance) {
    for (const [version, metrics] of Object.entries(s.livePerformance)) {
      lines.push(field(`live v${version}`, metricsText(metrics)));
    }
  }
  if (s.decisions.length > 0) {
    lines.push(field('decisions', `last ${Math.min(decisionsShown, s.decisions.length)} of ${s.decisions.length}`));
    lines.push(indent(textTable(['at', 'action', 'production', 'why'], s.decisions.slice(-decisionsShown).map((x) => [x.at, actionText(x), x.productionVersion === null ? '-' : `v${x.productionVersion}`, x.reasons.join('; ')]))));
  }
  for (const w of s.warnings) lines.push(field('warning', w));
  return lines.join('\n');
}

function headingLine(h: WorkflowHeading): string {
  return `${h.workflowId}  ${h.type}  ${h.execution}`;
}

function field(label: string, value: string): string {
  return `  ${label.padEnd(11)}${value}`;
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function trainingLine(t: NonNullable<PipelineStatus['training']>): string {
  const parts: string[] = [];
  if (t.epochs !== undefined) parts.push(`${t.epochs} epochs${t.backend ? ` on ${t.backend}` : ''}`);
  else parts.push(t.trainer === 'onnx' ? 'imported ONNX model' : `trained by ${t.trainer ?? 'mlp'}`);
  if (t.loss !== undefined) parts.push(`loss ${fourDigits(t.loss)}`);
  if (t.valLoss !== undefined) parts.push(`val loss ${fourDigits(t.valLoss)}`);
  if (t.resumedFromEpoch) parts.push(`resumed from epoch ${t.resumedFromEpoch}`);
  if (t.stoppedEarly) parts.push('stopped early');
  return parts.join(', ');
}

function actionText(d: MonitorDecision): string {
  if (d.action !== 'retrain') return d.action;
  if (d.deployedVersion) return `retrain → v${d.deployedVersion}`;
  return d.retrainWorkflowId ? 'retrain (not deployed)' : 'retrain';
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
