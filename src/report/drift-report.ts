/**
 * The HTML report of one drift run: the dataset-level verdict, every feature's test, score and
 * threshold, and reference vs current distributions per feature.
 */
import type { DriftResult, FeatureDrift } from '../data/drift.js';
import { isPValueTest, proportions } from '../data/drift-tests.js';
import { barChart, escapeHtml, formatNumber, histogramChart, renderPage, table, type ReportSection } from './html.js';

/** What {@link renderDriftReport} shows. */
export interface DriftReportInput {
  readonly result: DriftResult;
  /** How the reference and current data are named, e.g. paths or `model v3 training data`. */
  readonly reference: string;
  readonly current: string;
  /** ISO time of the run, shown under the title. */
  readonly at?: string;
}

/** Categories drawn per feature. */
const chartCategories = 15;

/** A self-contained HTML page. */
export function renderDriftReport(input: DriftReportInput): string {
  const { result } = input;
  const subtitle = [`reference: ${input.reference} (${result.referenceRows} rows)`, `current: ${input.current} (${result.currentRows} rows)`, input.at ?? '']
    .filter(Boolean)
    .join(' · ');
  const total = result.features.length + result.untested.length;
  const verdict = result.datasetDrift
    ? `<p class="bad">Dataset drift: ${result.driftedCount} of ${total} features drifted (${formatNumber(100 * result.shareDrifted)}% ≥ ${formatNumber(100 * result.shareThreshold)}%).</p>`
    : `<p class="ok">No dataset drift: ${result.driftedCount} of ${total} features drifted (${formatNumber(100 * result.shareDrifted)}% &lt; ${formatNumber(100 * result.shareThreshold)}%).</p>`;
  const warnings = result.warnings.length > 0 ? `<ul>${result.warnings.map((w) => `<li class="warn">${escapeHtml(w)}</li>`).join('')}</ul>` : '';
  const sections: ReportSection[] = [
    { title: 'Summary', html: verdict + warnings },
    { title: 'Features', html: featureTable(result.features) },
    ...result.features.map((f) => ({ title: `${f.feature}: ${f.test} ${formatNumber(f.score)}${f.drifted ? ' (drifted)' : ''}`, html: chart(f) })),
  ];
  return renderPage({ title: 'Drift report', subtitle, sections });
}

const testNames: Record<FeatureDrift['test'], string> = {
  ks: 'Kolmogorov-Smirnov p-value',
  chisquare: 'chi-squared p-value',
  wasserstein: 'Wasserstein distance (normed)',
  jensenshannon: 'Jensen-Shannon distance',
  psi: 'PSI',
};

function featureTable(features: readonly FeatureDrift[]): string {
  if (features.length === 0) return '<p>No feature was tested.</p>';
  const rows = features.map((f) => [
    f.feature,
    f.kind,
    testNames[f.test],
    f.score,
    `${isPValueTest(f.test) ? '<' : '≥'} ${formatNumber(f.threshold)}`,
    f.statistic ?? '',
    f.drifted ? 'DRIFTED' : 'ok',
    f.referenceCount,
    f.currentCount,
  ]);
  return table(['feature', 'kind', 'test', 'score', 'drift when', 'statistic', 'verdict', 'reference values', 'current values'], rows);
}

function chart(f: FeatureDrift): string {
  if (f.chart.type === 'histogram') {
    return histogramChart({ edges: f.chart.edges, series: [{ name: 'reference', counts: f.chart.reference }, { name: 'current', counts: f.chart.current }] });
  }
  // Shares of all values, so the categories drawn need not add up to 1.
  const n = Math.min(chartCategories, f.chart.labels.length);
  return barChart({
    labels: f.chart.labels.slice(0, n),
    series: [
      { name: 'reference', values: proportions(f.chart.reference).slice(0, n) },
      { name: 'current', values: proportions(f.chart.current).slice(0, n) },
    ],
  });
}
