/**
 * What the route handlers of both protocols share: the model cache, the registry, metrics,
 * limits, prediction (validation, batching, logging), and the parsing of path parameters.
 */
import type { Prediction } from '../model/types.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { FeedbackItem } from './feedback.js';
import { HttpError } from './http-error.js';
import type { Instance } from './instances.js';
import type { ServingMetrics } from './metrics.js';
import type { ModelCache, ModelSelector, ResolvedModel } from './model-cache.js';

/** One request as the handlers see it: its id, and how it was routed once resolved. */
export interface Call {
  /** The request id (`x-request-id`), the inference log's key for feedback. */
  readonly id: string;
  /** The model, once resolved (labels the request's metrics). */
  model?: string;
  /** The alias it was routed by; null for a fixed version. */
  alias?: string | null;
  /** The client's own `x-request-id`, when it sent a usable one: a correlation field, never a key. */
  clientId?: string;
}

export interface ServingContext {
  readonly registry: ModelRegistry;
  readonly cache: ModelCache;
  readonly metrics: ServingMetrics;
  readonly maxInstances: number;
  /** Most labels in one feedback call. */
  readonly maxFeedbackItems: number;
  /** The accepted range of regression labels for a version. */
  labelRange(model: ResolvedModel): Promise<{ min: number; max: number }>;
  /** False once the server has started shutting down. */
  isReady(): boolean;
  /** Resolves a model for a request and records the routing on the call. */
  resolve(call: Call, name: string, selector: ModelSelector): Promise<ResolvedModel>;
  /**
   * Checks the instances against the model's signature (throws a 400 naming the field), then
   * predicts them (batched with concurrent requests for the same version), counts them and
   * appends them to the inference log under the call's id.
   */
  predict(call: Call, model: ResolvedModel, instances: readonly Instance[]): Promise<Prediction[]>;
  /**
   * Appends ground truth to the inference log, for predictions this server issued, once each
   * (throws HttpError 404/400/409 otherwise). Returns how many labels were new (a repeat of an
   * accepted label is not logged again); undefined when the server keeps no log.
   */
  recordFeedback(model: string, items: readonly FeedbackItem[]): number | undefined;
}

export { requestIdPattern } from './request-id.js';

const calls = new WeakMap<object, Call>();

/** The call of a fastify request (created on first use). */
export function callOf(request: { readonly id: string }): Call {
  let call = calls.get(request);
  if (!call) calls.set(request, (call = { id: request.id }));
  return call;
}

/** Path parameters of the per-version and per-label routes. */
export interface ModelParams {
  name: string;
  version?: string;
  alias?: string;
}

/** `{version}` and `{alias}` path parameters → a selector; no parameter means `production`. */
export function selectorFrom(params: ModelParams): ModelSelector {
  if (params.version !== undefined) {
    if (!/^[1-9][0-9]{0,9}$/.test(params.version)) {
      throw new HttpError(400, `"${params.version}" is not a version number: use a positive integer like 3 (see "mlops models ${params.name}")`);
    }
    return { version: Number(params.version) };
  }
  if (params.alias !== undefined) {
    if (params.alias === '' || params.alias.length > 100) throw new HttpError(400, 'a label must be 1 to 100 characters, e.g. "production" or "staging"');
    return { alias: params.alias };
  }
  return {};
}
