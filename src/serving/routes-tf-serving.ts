/**
 * TensorFlow-Serving-style REST routes (`/v1/models/...`), each in three variants: the
 * `production` version, a fixed `versions/{v}`, and a label `labels/{alias}`.
 *
 * The verb is glued to the last path segment (`/v1/models/taxi:predict`). find-my-way ends a
 * parameter name only at `/`, `-`, `.` or `(`, so `:name::predict` would be one parameter
 * called "name::predict"; a regex parameter `:name(.+)` ends the name (a parameter never
 * spans a `/`), and `::` then stands for a literal colon. The regex sees the decoded value,
 * so `..%2Fx` arrives as the name "../x" and is rejected with a 400 by the name check.
 *
 * Replies to predict are `{ "predictions": [...] }` exactly as the design promises; the request id (also
 * in the `x-request-id` header) is the key for `POST /v1/models/{name}:feedback`, which records
 * ground truth in the inference log (see ./feedback.ts and ./inference-log.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callOf, selectorFrom, type ModelParams, type ServingContext } from './context.js';
import { parseFeedback } from './feedback.js';
import { HttpError } from './http-error.js';
import { instancesFromBody } from './instances.js';
import type { ModelSelector } from './model-cache.js';
import { classesOf } from './open-inference.js';

type Request = FastifyRequest<{ Params: ModelParams }>;

const variants = ['/v1/models/:name', '/v1/models/:name/versions/:version', '/v1/models/:name/labels/:alias'];

export function registerTfServingRoutes(app: FastifyInstance, ctx: ServingContext): void {
  for (const prefix of variants) {
    app.post<{ Params: ModelParams }>(`${prefix}(.+)::predict`, async (request, reply) => {
      const call = callOf(request);
      const model = await ctx.resolve(call, request.params.name, selectorFrom(request.params));
      const predictions = await ctx.predict(call, model, instancesFromBody(request.body, ctx.maxInstances));
      void reply.header('x-model-version', String(model.version));
      return { predictions };
    });
    app.get<{ Params: ModelParams }>(prefix, async (request, reply) => {
      const last = request.params.alias ?? request.params.version ?? request.params.name;
      if (last.endsWith(':predict') || last.endsWith(':feedback')) {
        void reply.header('allow', 'POST');
        throw new HttpError(405, `${last.slice(last.lastIndexOf(':') + 1)} with POST, not GET; see the README for the body`);
      }
      const model = await ctx.resolve(callOf(request), request.params.name, selectorFrom(request.params));
      return {
        model_version_status: [{ version: String(model.version), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
      };
    });
    app.get<{ Params: ModelParams }>(`${prefix}/metadata`, async (request) => metadata(ctx, request));
  }

  app.post<{ Params: ModelParams }>('/v1/models/:name(.+)::feedback', async (request) => {
    const { name } = request.params;
    const model = await ctx.resolve(callOf(request), name, await feedbackSelector(ctx, name));
    const { task, classes } = model.predictor;
    const items = parseFeedback(request.body, { task, classes, range: await ctx.labelRange(model) }, ctx.maxFeedbackItems);
    const recorded = ctx.recordFeedback(name, items);
    if (recorded === undefined) {
      throw new HttpError(503, 'this server keeps no inference log, so feedback cannot be recorded; start it with "mlops serve" (which logs under MLOPS_HOME/inference)');
    }
    return { recorded, ...(recorded < items.length ? { repeated: items.length - recorded } : {}) };
  });
}

/** Feedback needs the model's task: the production version's, or the newest version's. */
async function feedbackSelector(ctx: ServingContext, name: string): Promise<ModelSelector> {
  const registered = await ctx.registry.getModel(name);
  if (!registered || Object.hasOwn(registered.aliases, 'production')) return {};
  const newest = registered.versions.at(-1);
  return newest ? { version: newest.version } : {};
}

async function metadata(ctx: ServingContext, request: Request): Promise<Record<string, unknown>> {
  const { name } = request.params;
  const model = await ctx.resolve(callOf(request), name, selectorFrom(request.params));
  const registered = await ctx.registry.getModel(name);
  const { predictor, version, entry } = model;
  const classes = classesOf(predictor);
  return {
    model_spec: { name, signature_name: 'serving_default', version: String(version) },
    name,
    version: String(version),
    labels: Object.entries(registered?.aliases ?? {})
      .filter(([, v]) => v === version)
      .map(([alias]) => alias),
    signature: {
      task: predictor.task,
      features: predictor.features.map((f) => ({ name: f.name, type: f.type })),
      ...(classes ? { classes } : {}),
      output: predictor.task === 'classification' ? '{ "label": class, "probabilities": { class: p } } per instance' : 'a number per instance',
    },
    metrics: entry.metrics,
    created_at: entry.createdAt,
  };
}
