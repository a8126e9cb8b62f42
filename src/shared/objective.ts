/** Which metrics rank models, and in which direction. Pure, so workflows and activities share it. */
import type { Task } from '../spec/schema.js';

const lowerIsBetter = new Set(['rmse', 'mae', 'mape', 'logLoss']);

/** The metric that ranks models of a task when the spec names none. */
export function primaryMetric(task: Task): string {
  return task === 'regression' ? 'rmse' : 'accuracy';
}

/** `minimize` for errors and losses, `maximize` for scores (r2, accuracy, f1, rocAuc, …). */
export function directionOf(metric: string): 'minimize' | 'maximize' {
  return lowerIsBetter.has(metric) ? 'minimize' : 'maximize';
}

/** How much worse `value` is than `reference` (positive = worse), in the metric's units. */
export function worsening(metric: string, value: number, reference: number): number {
  return directionOf(metric) === 'minimize' ? value - reference : reference - value;
}
