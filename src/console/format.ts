/** Short texts the console's tables show. */
import type { Metrics } from '../model/types.js';
import { display } from './compare.js';

export function metricsText(metrics: Metrics | undefined): string {
  return Object.entries(metrics ?? {})
    .map(([k, v]) => `${k} ${display(v)}`)
    .join(', ');
}

export function paramsText(params: Record<string, unknown> | undefined): string {
  return Object.entries(params ?? {})
    .map(([k, v]) => `${k}=${display(v)}`)
    .join(' ');
}
