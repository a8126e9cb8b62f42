/**
 * The BadRequest errors for serving instances (feature name → value), shared by the
 * predictor's forward pass and preprocess's encoding of instances, so both refuse the same
 * inputs with the same words. The checks themselves stay inline in each hot loop; only the
 * rare error path calls in here.
 */
import { MlopsError } from '../errors.js';

/** Throws MlopsError('BadRequest') unless instance `i` is an object of feature name → value. */
export function checkInstance(instance: unknown, i: number): void {
  if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) {
    throw new MlopsError('BadRequest', `instance ${i}: expected an object of feature name → value, got ${describe(instance)}`);
  }
}

/** Instance `i` lacks feature `name`; the message lists every feature of the model. */
export function missingFeature(name: string, i: number, features: readonly { readonly name: string }[]): MlopsError {
  return new MlopsError('BadRequest', `instance ${i}: missing feature "${name}"; send every feature of the model: ${features.map((f) => f.name).join(', ')}`);
}

/** Numeric feature `name` of instance `i` holds `v`, which is neither a finite number nor null. */
export function badNumber(name: string, v: unknown, i: number): MlopsError {
  return new MlopsError('BadRequest', `instance ${i}: feature "${name}" expected a number (or null when missing), got ${describe(v)}`);
}

/** Categorical feature `name` of instance `i` holds `v`, which is not a string, number, boolean or null. */
export function badCategory(name: string, v: unknown, i: number): MlopsError {
  return new MlopsError('BadRequest', `instance ${i}: feature "${name}" expected a string or number (or null when missing), got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
