/**
 * The evaluation report: one self-contained HTML page per evaluated model with the decision
 * and its reasons, the metrics next to the naive baseline and the champion, the learning
 * curves, residuals (regression) or the confusion matrix (classification), and per-slice
 * metrics. Saved as an artifact by the evaluate activity.
 */
import type { BaselineResult, Blessing, ChampionResult } from '../evaluation/blessing.js';
import type { ModelEvaluation } from '../evaluation/evaluate-model.js';
import { primaryMetric } from '../evaluation/objective.js';
import type { SliceMetrics } from '../evaluation/slices.js';
import type { ModelSummary } from '../model/load-model.js';
import type { ConfusionMatrix } from '../model/metrics.js';
import type { PipelineSpec } from '../spec/schema.js';
import { barChart, escapeHtml, finiteExtent, formatNumber, heatmap, histogramChart, lineChart, renderPage, table, type ReportSection } from './html.js';

/** Points drawn in the predicted-vs-actual plot; larger test sets are thinned evenly. */
const MAX_SCATTER_POINTS = 1500;
const RESIDUAL_BINS = 20;

export interface EvaluationReportInput {
  readonly spec: PipelineSpec;
  /** What the report says about the model's making (see summarizeModel). */
  readonly bundle: ModelSummary;
  readonly evaluation: ModelEvaluation;
  /** Which rows were scored. */
  readonly evaluatedOn: 'test' | 'validation';
  readonly baseline: BaselineResult;
  readonly champion?: ChampionResult;
  readonly blessing: Blessing;
  /** The dataset snapshot, for the subtitle. */
  readonly dataset?: { readonly sha256: string; readonly rows: number };
}

/** Renders the report as a complete HTML document. */
export function renderEvaluationReport(input: EvaluationReportInput): string {
  const { spec, evaluation } = input;
  const data = input.dataset ? `, dataset ${input.dataset.sha256.slice(0, 12)} (${input.dataset.rows} rows)` : '';
  const sections: ReportSection[] = [
    decisionSection(input.blessing),
    metricsSection(input),
    ...learningCurveSection(input.bundle),
    ...(spec.task === 'regression' ? residualSections(evaluation) : []),
    ...(evaluation.confusion ? confusionSections(evaluation.confusion) : []),
    ...(evaluation.slices ? [sliceSection(evaluation.slices, spec.task)] : []),
    trainingSection(input),
  ];
  return renderPage({
    title: `Evaluation of ${spec.name} (${spec.task})`,
    subtitle: `${evaluation.rows} ${input.evaluatedOn} rows, target ${spec.data.target}${data}, trained ${input.bundle.trainedAt}${input.bundle.backend ? ` on ${input.bundle.backend}` : ` (${input.bundle.kind ?? 'mlp'})`}`,
    sections,
  });
}

function decisionSection(blessing: Blessing): ReportSection {
  const verdict = blessing.blessed ? '<p class="ok">Blessed: every check passed.</p>' : '<p class="bad">Not blessed: see the failed checks.</p>';
  const items = blessing.reasons.map((r) => `<li class="${r.startsWith('FAIL') ? 'bad' : r.startsWith('pass') ? 'ok' : ''}">${escapeHtml(r)}</li>`);
  return { title: 'Decision', html: `${verdict}\n<ul>${items.join('')}</ul>` };
}

function metricsSection(input: EvaluationReportInput): ReportSection {
  const { metrics } = input.evaluation;
  const champion = input.champion && input.champion.error === undefined ? input.champion : undefined;
  const headers = ['metric', 'model', `naive baseline (${input.baseline.strategy})`, ...(champion ? [`champion v${champion.version}`] : [])];
  const rows = Object.entries(metrics).map(([name, value]) => [
    name,
    value,
    input.baseline.metrics[name] ?? '',
    ...(champion ? [champion.metrics[name] ?? ''] : []),
  ]);
  return { title: 'Metrics', html: table(headers, rows) };
}

function learningCurveSection(bundle: ModelSummary): ReportSection[] {
  if (!bundle.history?.length) return [];
  const loss = bundle.history.map((h, i): [number, number] => [i + 1, h.loss]);
  const val = bundle.history.flatMap((h, i): [number, number][] => (h.valLoss === undefined ? [] : [[i + 1, h.valLoss]]));
  const series = [{ name: 'training loss', points: loss }, ...(val.length > 0 ? [{ name: 'validation loss', points: val }] : [])];
  const note = `<p>${bundle.history.length} epochs; the loss is on standardized targets for regression.</p>`;
  return [{ title: 'Learning curves', html: lineChart({ xLabel: 'epoch', yLabel: 'loss', series }) + note }];
}

function residualSections(evaluation: ModelEvaluation): ReportSection[] {
  const actual = evaluation.scored.actual as number[];
  const predicted = evaluation.scored.predictions as number[];
  const residuals = actual.map((a, i) => a - (predicted[i] as number));
  const { edges, counts } = histogram(residuals, RESIDUAL_BINS);
  const hist = histogramChart({ edges, series: [{ name: 'actual − predicted', counts }], normalize: false });
  return [
    { title: 'Residuals', html: `${hist}<p>Residual = actual − predicted; a model without bias centres them on 0.</p>` },
    { title: 'Predicted vs actual', html: scatter(predicted, actual) },
  ];
}

function confusionSections(confusion: ConfusionMatrix): ReportSection[] {
  const { labels, counts } = confusion;
  const perClass = labels.map((label, i) => {
    const tp = counts[i]?.[i] ?? 0;
    const support = (counts[i] ?? []).reduce((s, c) => s + c, 0);
    const predicted = counts.reduce((s, row) => s + (row[i] ?? 0), 0);
    return [label, support, predicted > 0 ? tp / predicted : 0, support > 0 ? tp / support : 0];
  });
  return [
    {
      title: 'Confusion matrix',
      html: `<p>Rows: actual class; columns: predicted class.</p>${heatmap({ rowLabels: [...labels], colLabels: [...labels], values: counts.map((r) => [...r]) })}`,
    },
    { title: 'Per class', html: table(['class', 'rows', 'precision', 'recall'], perClass) },
  ];
}

function sliceSection(slices: SliceMetrics, task: PipelineSpec['task']): ReportSection {
  const names = [...new Set(slices.slices.flatMap((s) => Object.keys(s.metrics)))];
  const rows = slices.slices.map((s) => [s.value, s.rows, ...names.map((n) => s.metrics[n] ?? '')]);
  const metric = primaryMetric(task);
  const chart = barChart({ labels: slices.slices.map((s) => s.value), series: [{ name: metric, values: slices.slices.map((s) => s.metrics[metric] ?? Number.NaN) }] });
  return { title: `Metrics by ${slices.feature}`, html: chart + table([slices.feature, 'rows', ...names], rows) };
}

function trainingSection(input: EvaluationReportInput): ReportSection {
  const model = input.spec.model;
  const rows: (string | number)[][] = Object.entries(model).map(([k, v]) => [k, typeof v === 'number' ? v : JSON.stringify(v)]);
  if (input.bundle.backend) rows.push(['backend used', input.bundle.backend]);
  if (input.bundle.history) rows.push(['epochs run', input.bundle.history.length]);
  return { title: 'Training', html: table(['setting', 'value'], rows) };
}

/** Equal-width bins over the finite values. */
function histogram(values: readonly number[], bins: number): { edges: number[]; counts: number[] } {
  const finite = values.filter(Number.isFinite);
  const [min, max] = finiteExtent(finite);
  const width = (max - min) / bins || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    const b = Math.min(bins - 1, Math.floor((v - min) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  return { edges, counts };
}

/** A predicted-vs-actual scatter with the y = x diagonal (html.ts has no scatter plot). */
function scatter(predicted: readonly number[], actual: readonly number[]): string {
  const size = 320;
  const pad = 44;
  const step = Math.max(1, Math.ceil(predicted.length / MAX_SCATTER_POINTS));
  const [lo, hi] = finiteExtent([...predicted, ...actual]);
  const span = hi - lo || 1;
  const px = (v: number) => (pad + ((v - lo) / span) * (size - 2 * pad)).toFixed(1);
  const py = (v: number) => (size - pad - ((v - lo) / span) * (size - 2 * pad)).toFixed(1);
  const dots: string[] = [];
  for (let i = 0; i < predicted.length; i += step) {
    const p = predicted[i] as number;
    const a = actual[i] as number;
    if (Number.isFinite(p) && Number.isFinite(a)) dots.push(`<circle cx="${px(p)}" cy="${py(a)}" r="1.8" fill="#4e79a7" fill-opacity="0.5"/>`);
  }
  const label = (x: number, y: number, text: string, extra = '') => `<text x="${x}" y="${y}" font-size="10" ${extra}>${escapeHtml(text)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="predicted vs actual">`,
    `<rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" fill="none" stroke="#999"/>`,
    `<line x1="${px(lo)}" y1="${py(lo)}" x2="${px(hi)}" y2="${py(hi)}" stroke="#e15759" stroke-dasharray="4 3"/>`,
    ...dots,
    label(pad, size - pad + 14, formatNumber(lo)),
    label(size - pad, size - pad + 14, formatNumber(hi), 'text-anchor="end"'),
    label(size / 2, size - 8, 'predicted', 'text-anchor="middle"'),
    label(12, size / 2, 'actual', `text-anchor="middle" transform="rotate(-90 12 ${size / 2})"`),
    '</svg>',
    step > 1 ? `<p>Every ${step}th of ${predicted.length} rows shown; the dashed line is a perfect prediction.</p>` : '<p>The dashed line is a perfect prediction.</p>',
  ].join('');
}
