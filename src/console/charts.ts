/**
 * The console's charts as Vega-Lite specs with their data inline; the page renders them in the
 * browser with vega-embed (served from node_modules, no CDN).
 */
import type { ModelVersion } from '../registry/model-registry.js';
import type { MonitorCheckRecord, RunRecord } from '../registry/run-record.js';

type Spec = Record<string, unknown>;
const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 220 } as const;

/** One metric across a model's versions, production marked. */
export function metricAcrossVersions(versions: readonly ModelVersion[], metric: string, production: number | undefined): Spec {
  const values = versions.filter((v) => typeof v.metrics[metric] === 'number').map((v) => ({ version: v.version, value: v.metrics[metric], production: v.version === production ? 'production' : 'other' }));
  return {
    ...base,
    title: `${metric} by version`,
    data: { values },
    mark: { type: 'line', point: { size: 60 } },
    encoding: {
      x: { field: 'version', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
      tooltip: [{ field: 'version' }, { field: 'value', format: '.4~g' }, { field: 'production' }],
    },
  };
}

/** Share of drifted features per check, the policy threshold as a rule, decisions as coloured points. */
export function driftOverTime(checks: readonly MonitorCheckRecord[], threshold: number | undefined): Spec {
  const values = checks.filter((c) => c.drift).map((c) => ({ at: c.at, share: c.drift!.shareDrifted, action: c.action }));
  const layers: Spec[] = [
    { mark: { type: 'line', color: '#888' }, encoding: { x: { field: 'at', type: 'temporal', title: null }, y: { field: 'share', type: 'quantitative', title: 'share of features drifted', scale: { domain: [0, 1] } } } },
    {
      mark: { type: 'point', filled: true, size: 80 },
      encoding: { x: { field: 'at', type: 'temporal' }, y: { field: 'share', type: 'quantitative' }, color: { field: 'action', type: 'nominal', scale: { domain: ['none', 'skipped', 'retrain', 'rollback'] } }, tooltip: [{ field: 'at', type: 'temporal', format: '%Y-%m-%d %H:%M' }, { field: 'share', format: '.0%' }, { field: 'action' }] },
    },
  ];
  if (threshold !== undefined) layers.push({ data: { values: [{ threshold }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#c33' }, encoding: { y: { field: 'threshold', type: 'quantitative' } } });
  return { ...base, title: 'drift share over time', data: { values }, layer: layers };
}

/** Each feature's drift score per check, as a heatmap (drifted cells outlined). */
export function featureScores(checks: readonly MonitorCheckRecord[]): Spec {
  const values = checks.flatMap((c) => (c.drift?.features ?? []).map((f) => ({ at: c.at, feature: f.feature, score: f.score, test: f.test, drifted: f.drifted })));
  return {
    ...base,
    title: 'per-feature drift scores',
    data: { values },
    mark: { type: 'rect', stroke: '#fff' },
    encoding: {
      x: { field: 'at', type: 'ordinal', timeUnit: 'yearmonthdatehoursminutes', title: null },
      y: { field: 'feature', type: 'nominal', title: null },
      color: { field: 'score', type: 'quantitative', scale: { scheme: 'orangered' } },
      strokeWidth: { condition: { test: 'datum.drifted', value: 2 }, value: 0 },
      tooltip: [{ field: 'feature' }, { field: 'test' }, { field: 'score', format: '.4~g' }, { field: 'drifted' }],
    },
  };
}

/** Live metric per version over time, against the metric the production version had at evaluation. */
export function liveVersusEvaluated(checks: readonly MonitorCheckRecord[], metric: string, evaluated: Record<string, number | undefined>): Spec {
  const values = checks.flatMap((c) => Object.entries(c.live ?? {}).filter(([, m]) => typeof m[metric] === 'number').map(([version, m]) => ({ at: c.at, version: `v${version} live`, value: m[metric] })));
  const rules = Object.entries(evaluated).filter(([, v]) => typeof v === 'number').map(([version, value]) => ({ version: `v${version} evaluated`, value }));
  return {
    ...base,
    title: `live ${metric} vs evaluated`,
    layer: [
      { data: { values }, mark: { type: 'line', point: true }, encoding: { x: { field: 'at', type: 'temporal', title: null }, y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } }, color: { field: 'version', type: 'nominal' } } },
      { data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'value', type: 'quantitative' }, color: { field: 'version', type: 'nominal' } } },
    ],
  };
}

/**
 * A sweep's trials as parallel coordinates: one axis per varied hyperparameter and the metric,
 * each scaled to [0, 1] between its smallest and largest value, one line per trial.
 */
export function parallelCoordinates(trials: readonly RunRecord[], metric: string): Spec {
  const numeric = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.hyperparameters ?? {})))].filter((k) => new Set(trials.map((t) => JSON.stringify(t.hyperparameters?.[k]))).size > 1);
  const axes = [...keys.map((k) => ({ name: k, get: (t: RunRecord) => numeric(t.hyperparameters?.[k]) ?? JSON.stringify(t.hyperparameters?.[k]) })), { name: metric, get: (t: RunRecord) => t.metrics?.[metric] }];
  const values = axes.flatMap((axis) => {
    const raw = trials.map((t) => axis.get(t));
    const categories = [...new Set(raw.filter((v) => typeof v === 'string'))].sort();
    const nums = raw.map((v) => (typeof v === 'string' ? categories.indexOf(v) : v));
    const defined = nums.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const [lo, hi] = [Math.min(...defined), Math.max(...defined)];
    return trials.map((t, i) => ({ trial: `trial ${t.trial ?? i + 1}`, axis: axis.name, raw: raw[i] ?? null, scaled: typeof nums[i] === 'number' ? (hi > lo ? ((nums[i] as number) - lo) / (hi - lo) : 0.5) : null, objective: t.metrics?.[metric] ?? null }));
  });
  return {
    ...base,
    height: 260,
    title: `${trials.length} trials: ${keys.join(', ')} → ${metric}`,
    data: { values },
    mark: { type: 'line', point: true, opacity: 0.8 },
    encoding: {
      x: { field: 'axis', type: 'nominal', sort: axes.map((a) => a.name), title: null, axis: { labelAngle: 0 } },
      y: { field: 'scaled', type: 'quantitative', title: 'scaled (min → max)', axis: { format: '.0%' } },
      detail: { field: 'trial', type: 'nominal' },
      color: { field: 'objective', type: 'quantitative', title: metric, scale: { scheme: 'viridis' } },
      tooltip: [{ field: 'trial' }, { field: 'axis' }, { field: 'raw' }],
    },
  };
}
