/**
 * Generic building blocks for self-contained HTML reports: a page, tables and inline SVG
 * charts. No external assets (no scripts, fonts or stylesheets), so a report opens from an
 * artifact store, an e-mail or a CI artifact as it is. Every text that comes from data is
 * HTML-escaped here, so callers can pass raw column names and values.
 */

/** Colours for series, in order; reused cyclically. */
const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A number for display: integers as they are, others with up to 4 significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

function cell(value: string | number): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** One section of a page; `html` is already-rendered (and escaped) markup. */
export interface ReportSection {
  /** Heading of the section (escaped). */
  title: string;
  /** Body markup, e.g. from {@link table} or a chart function. Inserted as is. */
  html: string;
}

/** Arguments of {@link renderPage}. */
export interface PageOptions {
  /** The page title and top heading (escaped). */
  title: string;
  /** A line under the heading, e.g. the dataset and time (escaped). */
  subtitle?: string;
  /** The sections, in order. */
  sections: ReportSection[];
}

const css = `body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
.sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f4f4f4}svg{display:block;margin:.5em 0}.chart-title{font-weight:600;margin:.8em 0 0}
.bad{color:#b00020;font-weight:600}.warn{color:#a56300;font-weight:600}.ok{color:#2e7d32}`;

/** A complete HTML document: title, optional subtitle, and sections with headings. */
export function renderPage(options: PageOptions): string {
  const body = options.sections
    .map((section) => `<section><h2>${escapeHtml(section.title)}</h2>\n${section.html}</section>`)
    .join('\n');
  const subtitle = options.subtitle === undefined ? '' : `<p class="sub">${escapeHtml(options.subtitle)}</p>\n`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title>
<style>${css}</style></head>
<body><h1>${escapeHtml(options.title)}</h1>
${subtitle}${body}
</body></html>
`;
}

/** An HTML table; numbers are right-aligned and formatted, strings escaped. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => `<tr>${row.map((v) => (typeof v === 'number' ? `<td class="n">${escapeHtml(cell(v))}</td>` : `<td>${escapeHtml(v)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const width = 520;
const height = 220;
const margin = { top: 12, right: 12, bottom: 44, left: 56 };
const plotW = width - margin.left - margin.right;
const plotH = height - margin.top - margin.bottom;

function svgOpen(label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}">`;
}

function finite(values: number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/**
 * The smallest and largest finite value, [0, 1] when there is none. A loop rather than
 * Math.min(...values): spreading some 150,000 values (a large test set) overflows the stack.
 */
export function finiteExtent(values: Iterable<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 1];
}

function legend(names: string[]): string {
  if (names.length < 2 && (names[0] ?? '') === '') return '';
  return names
    .map((name, i) => {
      const x = margin.left + i * 130;
      const y = height - 8;
      return `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${palette[i % palette.length]}"/><text x="${x + 14}" y="${y}" font-size="11">${escapeHtml(name)}</text>`;
    })
    .join('');
}

function yAxis(min: number, max: number): string {
  const ticks = [0, 0.5, 1].map((t) => {
    const v = min + (max - min) * t;
    const y = margin.top + plotH - plotH * t;
    return `<line x1="${margin.left - 4}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${margin.left - 6}" y="${y + 4}" font-size="10" text-anchor="end">${escapeHtml(formatNumber(v))}</text>`;
  });
  return ticks.join('') + `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#999"/>`;
}

function xBaseline(): string {
  const y = margin.top + plotH;
  return `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#999"/>`;
}

/** Arguments of {@link histogramChart}. */
export interface HistogramOptions {
  /** Bin edges, ascending; `counts[i]` is the bin [edges[i], edges[i+1]). */
  edges: number[];
  /** One or more series over the same bins (e.g. reference and current), drawn side by side. */
  series: { name: string; counts: number[] }[];
  /** Draw proportions instead of raw counts so series of different sizes compare (default true). */
  normalize?: boolean;
}

/** A histogram over shared bin edges, e.g. reference vs current. */
export function histogramChart(options: HistogramOptions): string {
  const bins = Math.max(0, options.edges.length - 1);
  const normalize = options.normalize ?? true;
  const series = options.series.map((s) => {
    const total = s.counts.reduce((a, b) => a + b, 0);
    return { name: s.name, values: s.counts.map((c) => (normalize && total > 0 ? c / total : c)) };
  });
  const max = Math.max(0, ...series.flatMap((s) => finite(s.values)));
  const parts: string[] = [svgOpen('histogram'), yAxis(0, max || 1), xBaseline()];
  const binW = bins > 0 ? plotW / bins : plotW;
  const barW = series.length > 0 ? (binW * 0.9) / series.length : 0;
  series.forEach((s, si) => {
    for (let b = 0; b < bins; b++) {
      const v = s.values[b] ?? 0;
      const h = max > 0 && Number.isFinite(v) ? (v / max) * plotH : 0;
      const x = margin.left + b * binW + binW * 0.05 + si * barW;
      const range = `[${formatNumber(options.edges[b] ?? 0)}, ${formatNumber(options.edges[b + 1] ?? 0)})`;
      parts.push(`<rect x="${x.toFixed(1)}" y="${(margin.top + plotH - h).toFixed(1)}" width="${Math.max(barW, 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${palette[si % palette.length]}" fill-opacity="0.8"><title>${escapeHtml(`${s.name} ${range}: ${formatNumber(v)}`)}</title></rect>`);
    }
  });
  const first = options.edges[0];
  const last = options.edges[options.edges.length - 1];
  if (first !== undefined && last !== undefined) {
    const y = margin.top + plotH + 14;
    parts.push(`<text x="${margin.left}" y="${y}" font-size="10">${escapeHtml(formatNumber(first))}</text>`);
    parts.push(`<text x="${margin.left + plotW}" y="${y}" font-size="10" text-anchor="end">${escapeHtml(formatNumber(last))}</text>`);
  }
  parts.push(legend(series.map((s) => s.name)), '</svg>');
  return parts.join('');
}

/** Arguments of {@link barChart}. */
export interface BarChartOptions {
  /** One label per bar group (escaped; long labels are shortened on the axis). */
  labels: string[];
  /** One or more series, `values[i]` belongs to `labels[i]`. */
  series: { name: string; values: number[] }[];
}

/** A grouped bar chart, e.g. category frequencies or per-feature drift scores. */
export function barChart(options: BarChartOptions): string {
  const n = options.labels.length;
  const values = options.series.flatMap((s) => finite(s.values));
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const parts: string[] = [svgOpen('bar chart'), yAxis(min, min + span), xBaseline()];
  const groupW = n > 0 ? plotW / n : plotW;
  const barW = options.series.length > 0 ? (groupW * 0.8) / options.series.length : 0;
  const zeroY = margin.top + plotH - ((0 - min) / span) * plotH;
  options.series.forEach((s, si) => {
    for (let i = 0; i < n; i++) {
      const v = s.values[i] ?? 0;
      const safe = Number.isFinite(v) ? v : 0;
      const y = margin.top + plotH - ((safe - min) / span) * plotH;
      const x = margin.left + i * groupW + groupW * 0.1 + si * barW;
      parts.push(`<rect x="${x.toFixed(1)}" y="${Math.min(y, zeroY).toFixed(1)}" width="${Math.max(barW, 0.5).toFixed(1)}" height="${Math.abs(zeroY - y).toFixed(1)}" fill="${palette[si % palette.length]}" fill-opacity="0.85"><title>${escapeHtml(`${s.name} ${options.labels[i] ?? ''}: ${formatNumber(v)}`)}</title></rect>`);
    }
  });
  const every = Math.max(1, Math.ceil(n / 12));
  options.labels.forEach((label, i) => {
    if (i % every !== 0) return;
    const short = label.length > 10 ? `${label.slice(0, 9)}…` : label;
    const x = margin.left + i * groupW + groupW / 2;
    parts.push(`<text x="${x.toFixed(1)}" y="${margin.top + plotH + 14}" font-size="10" text-anchor="middle">${escapeHtml(short)}</text>`);
  });
  parts.push(legend(options.series.map((s) => s.name)), '</svg>');
  return parts.join('');
}

/** Arguments of {@link lineChart}. */
export interface LineChartOptions {
  /** Label of the x axis (escaped), e.g. "epoch". */
  xLabel: string;
  /** Label of the y axis (escaped), e.g. "loss". */
  yLabel: string;
  /** One polyline per series, points as [x, y]. Non-finite points are skipped. */
  series: { name: string; points: [number, number][] }[];
}

/** A line chart, e.g. training and validation loss per epoch. */
export function lineChart(options: LineChartOptions): string {
  const points = options.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const [xMin, xMax] = finiteExtent(points.map(([x]) => x));
  const [yMin, yMax] = finiteExtent(points.map(([, y]) => y));
  const xSpan = xMax - xMin || 1;
  const ySpan = yMax - yMin || 1;
  const px = (x: number) => margin.left + ((x - xMin) / xSpan) * plotW;
  const py = (y: number) => margin.top + plotH - ((y - yMin) / ySpan) * plotH;
  const parts: string[] = [svgOpen(`${options.yLabel} by ${options.xLabel}`), yAxis(yMin, yMin + ySpan), xBaseline()];
  options.series.forEach((s, si) => {
    const path = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${palette[si % palette.length]}" stroke-width="2"><title>${escapeHtml(s.name)}</title></polyline>`);
  });
  const axisY = margin.top + plotH + 14;
  parts.push(`<text x="${margin.left}" y="${axisY}" font-size="10">${escapeHtml(formatNumber(xMin))}</text>`);
  parts.push(`<text x="${margin.left + plotW}" y="${axisY}" font-size="10" text-anchor="end">${escapeHtml(formatNumber(xMin + xSpan))}</text>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${axisY}" font-size="11" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`);
  parts.push(`<text x="12" y="${margin.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${margin.top + plotH / 2})">${escapeHtml(options.yLabel)}</text>`);
  parts.push(legend(options.series.map((s) => s.name)), '</svg>');
  return parts.join('');
}

/** Arguments of {@link heatmap}. */
export interface HeatmapOptions {
  /** Labels of the rows (escaped), e.g. true classes. */
  rowLabels: string[];
  /** Labels of the columns (escaped), e.g. predicted classes. */
  colLabels: string[];
  /** `values[row][col]`; the colour scales from the minimum to the maximum finite value. */
  values: number[][];
}

/** A heatmap with the value printed in each cell, e.g. a confusion matrix. */
export function heatmap(options: HeatmapOptions): string {
  const rows = options.rowLabels.length;
  const cols = options.colLabels.length;
  const [min, max] = finiteExtent(options.values.flat());
  const span = max - min || 1;
  const cellSize = Math.max(18, Math.min(48, Math.floor(400 / Math.max(rows, cols, 1))));
  const left = 90;
  const top = 60;
  const w = left + cols * cellSize + 10;
  const h = top + rows * cellSize + 10;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="heatmap">`];
  options.colLabels.forEach((label, c) => {
    const x = left + c * cellSize + cellSize / 2;
    parts.push(`<text x="${x}" y="${top - 6}" font-size="10" text-anchor="start" transform="rotate(-45 ${x} ${top - 6})">${escapeHtml(label)}</text>`);
  });
  options.rowLabels.forEach((label, r) => {
    parts.push(`<text x="${left - 6}" y="${top + r * cellSize + cellSize / 2 + 4}" font-size="10" text-anchor="end">${escapeHtml(label)}</text>`);
    for (let c = 0; c < cols; c++) {
      const v = options.values[r]?.[c] ?? Number.NaN;
      const t = Number.isFinite(v) ? (v - min) / span : 0;
      const light = Math.round(96 - t * 56);
      const x = left + c * cellSize;
      const y = top + r * cellSize;
      parts.push(`<rect x="${x}" y="${y}" width="${cellSize}" height="${cellSize}" fill="hsl(212,55%,${light}%)" stroke="#fff"><title>${escapeHtml(`${label} / ${options.colLabels[c] ?? ''}: ${formatNumber(v)}`)}</title></rect>`);
      parts.push(`<text x="${x + cellSize / 2}" y="${y + cellSize / 2 + 4}" font-size="10" text-anchor="middle" fill="${light < 60 ? '#fff' : '#222'}">${escapeHtml(formatNumber(v))}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
