/**
 * What the route handlers of both protocols share: the model cache, the registry, metrics,
 * limits, prediction (validation, batching, logging), and the parsing of path parameters.
 */
import type { FastifyRequest } from 'fastify';
import type { Prediction } from '../model/types.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { FeedbackItem } from './feedback.js';
import { HttpError } from './http-error.js';
import type { Instance } from './instances.js';
import type { ServingMetrics } from './metrics.js';
import type { ModelCache, ModelSelector, ResolvedModel } from './model-cache.js';

export interface ServingContext {
  readonly registry: ModelRegistry;
  readonly cache: ModelCache;
  readonly metrics: ServingMetrics;
  readonly maxInstances: number;
  /** False once the server has started shutting down. */
  isReady(): boolean;
  /** Resolves a model for a request and labels the request's metrics with its name. */
  resolve(request: FastifyRequest, name: string, selector: ModelSelector): Promise<ResolvedModel>;
  /**
   * Checks the instances against the model's signature (400 naming the field), predicts them
   * (batched with concurrent requests for the same version), counts them and appends them to
   * the inference log under the request's id.
   */
  predict(request: FastifyRequest, model: ResolvedModel, instances: readonly Instance[]): Promise<Prediction[]>;
  /** Appends ground truth to the inference log; false when the server keeps no log. */
  recordFeedback(model: string, items: readonly FeedbackItem[]): boolean;
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
