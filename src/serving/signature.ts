/**
 * Request validation against a model's input signature (its features), before any work is
 * queued: every feature present (null means missing, which the preprocessing imputes), no
 * unknown feature, numbers for numeric features, strings or numbers for categorical ones.
 * Each error names the instance and the field and says what to send instead.
 */
import type { FeatureSpec } from '../spec/schema.js';
import { HttpError } from './http-error.js';
import { describeValue, isPlainObject, type Instance } from './instances.js';

/** Throws HttpError 400 naming the first wrong instance and field. */
export function checkInstances(features: readonly FeatureSpec[], instances: readonly Instance[]): void {
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i];
    if (!isPlainObject(instance)) {
      throw new HttpError(400, `instance ${i} is ${describeValue(instance)}: each instance must be an object mapping feature names to values`);
    }
    let present = 0;
    for (const f of features) {
      if (!Object.hasOwn(instance, f.name)) throw missing(f, features, i);
      present++;
      checkValue(f, instance[f.name], i);
    }
    // Every feature was present, so any further key is one the model does not know.
    if (Object.keys(instance).length > present) throw unknown(instance, features, i);
  }
}

function checkValue(f: FeatureSpec, value: unknown, i: number): void {
  if (value === null) return;
  if (f.type === 'numeric') {
    if (typeof value === 'number' && Number.isFinite(value)) return;
    const hint = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? ` (send ${Number(value)} without quotes)` : '';
    throw new HttpError(400, `instance ${i}: feature "${f.name}" is numeric and expects a number (or null when missing), got ${show(value)}${hint}`);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return;
  throw new HttpError(400, `instance ${i}: feature "${f.name}" is categorical and expects a string or number (or null when missing), got ${show(value)}`);
}

function missing(f: FeatureSpec, features: readonly FeatureSpec[], i: number): HttpError {
  return new HttpError(400, `instance ${i}: missing feature "${f.name}"; send every feature of the model (null for a missing value): ${names(features)}`);
}

function unknown(instance: Instance, features: readonly FeatureSpec[], i: number): HttpError {
  const known = new Set(features.map((f) => f.name));
  const extra = Object.keys(instance).filter((k) => !known.has(k));
  const list = extra.map((k) => `"${k.length > 60 ? `${k.slice(0, 60)}…` : k}"`).join(', ');
  return new HttpError(400, `instance ${i}: unknown feature${extra.length > 1 ? 's' : ''} ${list}; the model's features are: ${names(features)}`);
}

function names(features: readonly FeatureSpec[]): string {
  return features.map((f) => f.name).join(', ');
}

function show(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return String(value);
  return describeValue(value);
}
