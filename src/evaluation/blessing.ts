/**
 * The evaluation verdict: a candidate is "blessed" when every metric bound in the spec holds,
 * it is at least as good as the production champion on the same test data (if asked), no
 * metric got worse than `changeThresholds` allow, and (if asked) it beats the naive baseline.
 * Every check adds a reason, passing or not, so the reviewer sees why; `info:` lines add
 * context (baseline, worst slice) without deciding anything.
 */
import type { Metrics } from '../model/types.js';
import type { PipelineSpec, Task } from '../spec/schema.js';
import { fourDigits } from '../shared/numbers.js';
import { primaryMetric, worsening } from './objective.js';
import type { SliceMetrics } from './slices.js';

export interface Blessing {
  readonly blessed: boolean;
  readonly reasons: string[];
}

/** The production model scored on the same rows, or why it could not be. */
export interface ChampionResult {
  readonly version: number;
  /** Empty when the champion could not be scored (see `error`). */
  readonly metrics: Metrics;
  /** Why the champion could not be scored on this data (e.g. it needs other feature columns). */
  readonly error?: string;
}

export interface BaselineResult {
  readonly strategy: 'mean' | 'majority';
  readonly metrics: Metrics;
}

export interface BlessingInput {
  readonly metrics: Metrics;
  readonly evaluation: PipelineSpec['evaluation'];
  readonly task: Task;
  readonly champion?: ChampionResult;
  readonly baseline?: BaselineResult;
  readonly slices?: SliceMetrics;
}

export function decideBlessing(input: BlessingInput): Blessing {
  const reasons: string[] = [];
  let blessed = true;
  let checks = 0;
  const check = (ok: boolean, text: string) => {
    blessed &&= ok;
    checks++;
    reasons.push(`${ok ? 'pass' : 'FAIL'}: ${text}`);
  };
  checkThresholds(input, check);
  checkChampion(input, check);
  checkBaseline(input, check, reasons);
  if (checks === 0) reasons.unshift('pass: no thresholds set (evaluation.thresholds is empty)');
  const worst = worstSlice(input);
  if (worst) reasons.push(worst);
  return { blessed, reasons };
}

type Check = (ok: boolean, text: string) => void;

function checkThresholds(input: BlessingInput, check: Check): void {
  for (const [name, bound] of Object.entries(input.evaluation.thresholds)) {
    const value = input.metrics[name];
    if (value === undefined) {
      check(false, `metric "${name}" in evaluation.thresholds is not computed for ${input.task}; use one of ${Object.keys(input.metrics).join(', ')}`);
      continue;
    }
    if (bound.upper !== undefined) check(value <= bound.upper, `${name} ${fourDigits(value)} ≤ ${bound.upper}`);
    if (bound.lower !== undefined) check(value >= bound.lower, `${name} ${fourDigits(value)} ≥ ${bound.lower}`);
  }
}

function checkChampion(input: BlessingInput, check: Check): void {
  const { evaluation, champion } = input;
  const changes = Object.entries(evaluation.changeThresholds);
  if (!evaluation.mustBeatChampion && changes.length === 0) return;
  if (!champion) return check(true, 'no production champion yet, so this model is the first');
  if (champion.error !== undefined) {
    return check(true, `champion v${champion.version} cannot be scored on this test data (${champion.error}), so the comparison is skipped`);
  }
  const versus = `champion v${champion.version}`;
  if (evaluation.mustBeatChampion) {
    const metric = primaryMetric(input.task);
    const mine = input.metrics[metric] ?? Number.NaN;
    const theirs = champion.metrics[metric] ?? Number.NaN;
    check(worsening(metric, mine, theirs) <= 0, `${metric} ${fourDigits(mine)} vs ${versus} ${fourDigits(theirs)} on the same test data`);
  }
  for (const [metric, allowed] of changes) {
    const mine = input.metrics[metric];
    const theirs = champion.metrics[metric];
    if (mine === undefined || theirs === undefined) {
      check(false, `metric "${metric}" in evaluation.changeThresholds is not computed for ${input.task}; use one of ${Object.keys(input.metrics).join(', ')}`);
      continue;
    }
    const worse = worsening(metric, mine, theirs);
    const change = `${metric} ${fourDigits(mine)} vs ${versus} ${fourDigits(theirs)}: ${worse > 0 ? 'worse' : 'better'} by ${fourDigits(Math.abs(worse))}`;
    if (allowed.absolute !== undefined) check(worse <= allowed.absolute, `${change}, allowed worsening ${allowed.absolute}`);
    if (allowed.relative !== undefined) {
      const share = theirs === 0 ? (worse > 0 ? Number.POSITIVE_INFINITY : 0) : worse / Math.abs(theirs);
      check(share <= allowed.relative, `${change} (${fourDigits(share * 100)} %), allowed worsening ${fourDigits(allowed.relative * 100)} %`);
    }
  }
}

function checkBaseline(input: BlessingInput, check: Check, reasons: string[]): void {
  const { baseline } = input;
  if (!baseline) return;
  const metric = primaryMetric(input.task);
  const mine = input.metrics[metric] ?? Number.NaN;
  const theirs = baseline.metrics[metric] ?? Number.NaN;
  const text = `${metric} ${fourDigits(mine)} vs naive baseline (${baseline.strategy}) ${fourDigits(theirs)}`;
  if (input.evaluation.mustBeatBaseline) check(worsening(metric, mine, theirs) < 0, text);
  else reasons.push(`info: ${text}`);
}

/** The slice with the worst primary metric, when there are at least two slices. */
function worstSlice(input: BlessingInput): string | undefined {
  const slices = input.slices?.slices ?? [];
  if (slices.length < 2) return undefined;
  const metric = primaryMetric(input.task);
  const worst = slices.reduce((a, b) => (worsening(metric, b.metrics[metric] ?? 0, a.metrics[metric] ?? 0) > 0 ? b : a));
  return `info: worst slice ${input.slices?.feature}=${worst.value}: ${metric} ${fourDigits(worst.metrics[metric] ?? Number.NaN)} (${worst.rows} rows)`;
}
