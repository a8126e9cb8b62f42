/**
 * The HTML report of one validation run: anomalies, statistics tables, the schema, and a
 * chart per column (current data, with the reference's distribution when one is known).
 */
import type { Anomaly } from '../data/anomalies.js';
import type { DataSchema } from '../data/data-schema.js';
import type { CategoricalColumnStatistics, DatasetStatistics, NumericColumnStatistics } from '../data/statistics.js';
import { barChart, escapeHtml, formatNumber, histogramChart, renderPage, table, type ReportSection } from './html.js';

/** What {@link renderValidationReport} shows. */
export interface ValidationReportInput {
  readonly statistics: DatasetStatistics;
  readonly anomalies: readonly Anomaly[];
  readonly schema: DataSchema;
  /** Where the schema came from, in words, e.g. `inferred from this dataset` or `model taxi-duration v3`. */
  readonly schemaSource: string;
  /** Statistics of the reference (training) data, drawn next to the current distributions. */
  readonly reference?: DatasetStatistics;
  /** ISO time of the run, shown under the title. */
  readonly at?: string;
}

/** Categories drawn per column. */
const chartCategories = 15;

/** A self-contained HTML page. */
export function renderValidationReport(input: ValidationReportInput): string {
  const { statistics: stats, anomalies } = input;
  const errors = anomalies.filter((a) => a.severity === 'error').length;
  const warnings = anomalies.length - errors;
  const subtitle = [
    `${stats.rows} rows, ${stats.columns.length} columns`,
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
    `schema: ${input.schemaSource}`,
    input.at ?? '',
  ].filter(Boolean).join(' · ');
  const sections: ReportSection[] = [
    { title: 'Anomalies', html: anomalyTable(anomalies) },
    { title: 'Dataset', html: table(['rows', 'duplicate rows', 'columns'], [[stats.rows, stats.duplicates, stats.columns.length]]) },
    ...numericSection(stats),
    ...categoricalSection(stats),
    { title: 'Distributions', html: distributions(stats, input.reference) },
    { title: 'Schema', html: schemaTable(input.schema) },
  ];
  return renderPage({ title: `Data validation: ${stats.origin}`, subtitle, sections });
}

function anomalyTable(anomalies: readonly Anomaly[]): string {
  if (anomalies.length === 0) return '<p class="ok">No anomalies.</p>';
  return table(['severity', 'kind', 'column', 'finding'], anomalies.map((a) => [a.severity.toUpperCase(), a.kind, a.column ?? '', a.message]));
}

function pctOf(part: number, total: number): string {
  return total > 0 ? `${formatNumber((100 * part) / total)}%` : '';
}

function numericSection(stats: DatasetStatistics): ReportSection[] {
  const columns = stats.columns.filter((c): c is NumericColumnStatistics => c.kind === 'numeric');
  if (columns.length === 0) return [];
  const q = (c: NumericColumnStatistics, level: number) => c.quantiles.find((x) => x.q === level)?.value ?? '';
  const rows = columns.map((c) => [c.name, c.type, c.count, pctOf(c.missing, stats.rows), c.zeros, c.nan + c.infinite, c.min ?? '', c.mean ?? '', c.std ?? '', q(c, 0.5), c.max ?? '', c.distinctExact ? c.distinct : `≈${c.distinct}`]);
  return [{ title: 'Numeric columns', html: table(['column', 'type', 'count', 'missing', 'zeros', 'NaN/inf', 'min', 'mean', 'std', 'median', 'max', 'distinct'], rows) }];
}

function categoricalSection(stats: DatasetStatistics): ReportSection[] {
  const columns = stats.columns.filter((c): c is CategoricalColumnStatistics => c.kind === 'categorical');
  if (columns.length === 0) return [];
  const top = (c: CategoricalColumnStatistics) => c.values.slice(0, 5).map((v) => `${v.value} (${pctOf(v.count, c.count)})`).join(', ');
  const rows = columns.map((c) => [c.name, c.type, c.count, pctOf(c.missing, stats.rows), c.distinct, top(c)]);
  return [{ title: 'Categorical columns', html: table(['column', 'type', 'count', 'missing', 'distinct', 'top values'], rows) }];
}

function distributions(stats: DatasetStatistics, reference: DatasetStatistics | undefined): string {
  const refByName = new Map(reference?.columns.map((c) => [c.name, c]) ?? []);
  const parts: string[] = [];
  for (const c of stats.columns) {
    const ref = refByName.get(c.name);
    if (c.kind === 'numeric' && c.histogram) {
      const series = [{ name: 'current', counts: c.histogram.counts }];
      const refHist = ref?.kind === 'numeric' ? ref.histogram : null;
      if (refHist && sameEdges(refHist.edges, c.histogram.edges)) series.unshift({ name: 'reference', counts: refHist.counts });
      const outside = c.histogram.underflow + c.histogram.overflow;
      const note = outside > 0 ? ` (${outside} values outside the schema's range not drawn)` : '';
      parts.push(`<p class="chart-title">${escapeHtml(c.name)}${escapeHtml(note)}</p>${histogramChart({ edges: c.histogram.edges, series })}`);
    } else if (c.kind === 'categorical' && c.values.length > 0) {
      const labels = c.values.slice(0, chartCategories).map((v) => v.value);
      const share = (values: readonly { value: string; count: number }[], total: number) => {
        const byValue = new Map(values.map((v) => [v.value, v.count]));
        return labels.map((l) => (total > 0 ? (byValue.get(l) ?? 0) / total : 0));
      };
      const series = [{ name: 'current', values: share(c.values, c.count) }];
      if (ref?.kind === 'categorical') series.unshift({ name: 'reference', values: share(ref.values, ref.count) });
      parts.push(`<p class="chart-title">${escapeHtml(c.name)} (share of rows, top ${labels.length})</p>${barChart({ labels, series })}`);
    }
  }
  return parts.length > 0 ? parts.join('\n') : '<p>No column to draw.</p>';
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function schemaTable(schema: DataSchema): string {
  const rows = schema.columns.map((c) => [
    c.name,
    c.kind,
    c.role,
    c.required ? 'yes' : 'no',
    `${formatNumber(c.maxMissingRatio * 100)}%`,
    c.range ? `[${formatNumber(c.range.min)}, ${formatNumber(c.range.max)}]` : '',
    c.domain ? `${c.domain.length} values` : '',
  ]);
  return table(['column', 'kind', 'role', 'required', 'max missing', 'range', 'domain'], rows);
}
