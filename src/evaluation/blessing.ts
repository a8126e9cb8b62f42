/**
 * The evaluation verdict: a candidate is "blessed" when every metric bound in the spec holds
 * and, if asked, it is at least as good as the production champion on the same test data.
 * Every check adds a reason, passing or not, so the reviewer sees why.
 */
import type { Metrics } from '../model/types.js';
import type { PipelineSpec, Task } from '../spec/schema.js';

export interface Blessing {
  readonly blessed: boolean;
  readonly reasons: string[];
}

export interface ChampionResult {
  readonly version: number;
  readonly metrics: Metrics;
}

const lowerIsBetter = new Set(['rmse', 'mae', 'mape', 'logLoss']);

/** The metric that ranks models of a task. */
export function primaryMetric(task: Task): string {
  return task === 'regression' ? 'rmse' : 'accuracy';
}

export function decideBlessing(input: {
  metrics: Metrics;
  evaluation: PipelineSpec['evaluation'];
  task: Task;
  champion?: ChampionResult;
}): Blessing {
  const reasons: string[] = [];
  let blessed = true;
  const check = (ok: boolean, text: string) => {
    blessed &&= ok;
    reasons.push(`${ok ? 'pass' : 'FAIL'}: ${text}`);
  };

  for (const [name, bound] of Object.entries(input.evaluation.thresholds)) {
    const value = input.metrics[name];
    if (value === undefined) {
      check(false, `metric "${name}" in evaluation.thresholds is not computed for ${input.task}; use one of ${Object.keys(input.metrics).join(', ')}`);
      continue;
    }
    if (bound.upper !== undefined) check(value <= bound.upper, `${name} ${fmt(value)} ≤ ${bound.upper}`);
    if (bound.lower !== undefined) check(value >= bound.lower, `${name} ${fmt(value)} ≥ ${bound.lower}`);
  }

  if (input.evaluation.mustBeatChampion) {
    const metric = primaryMetric(input.task);
    const champion = input.champion;
    if (!champion) {
      reasons.push('pass: no production champion yet, so this model is the first');
    } else {
      const mine = input.metrics[metric] ?? Number.NaN;
      const theirs = champion.metrics[metric] ?? Number.NaN;
      const better = lowerIsBetter.has(metric) ? mine <= theirs : mine >= theirs;
      check(better, `${metric} ${fmt(mine)} vs champion v${champion.version} ${fmt(theirs)} on the same test data`);
    }
  }
  if (reasons.length === 0) reasons.push('pass: no thresholds set (evaluation.thresholds is empty)');
  return { blessed, reasons };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x);
}
