/**
 * KServe v2 / Open Inference Protocol REST routes. Tensor conventions are described in
 * ./open-inference.ts. Besides the routes in the design, the protocol's server metadata
 * (`GET /v2`) and the per-version variants (`/v2/models/{name}/versions/{v}/...`) are served.
 */
import type { FastifyInstance } from 'fastify';
import { packageInfo } from '../package-info.js';
import { callOf, selectorFrom, type ModelParams, type ServingContext } from './context.js';
import { classesOf, outputTensors, parseInferRequest, tensorMetadata } from './open-inference.js';

const platform = 'temporal-mlops';

export function registerKserveV2Routes(app: FastifyInstance, ctx: ServingContext): void {
  app.get('/v2', async () => ({ name: platform, version: packageInfo.version, extensions: [] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = ctx.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get<{ Params: ModelParams }>(prefix, async (request) => {
      const { name } = request.params;
      const { predictor, version } = await ctx.resolve(callOf(request), name, selectorFrom(request.params));
      const registered = await ctx.registry.getModel(name);
      const classes = classesOf(predictor);
      return {
        name,
        versions: (registered?.versions ?? []).map((v) => String(v.version)),
        platform,
        ...tensorMetadata(predictor.features, predictor.task),
        parameters: { version: String(version), task: predictor.task, ...(classes ? { classes } : {}) },
      };
    });

    app.get<{ Params: ModelParams }>(`${prefix}/ready`, async (request) => {
      await ctx.resolve(callOf(request), request.params.name, selectorFrom(request.params));
      return { name: request.params.name, ready: true };
    });

    app.post<{ Params: ModelParams }>(`${prefix}/infer`, async (request) => {
      const call = callOf(request);
      const model = await ctx.resolve(call, request.params.name, selectorFrom(request.params));
      const { instances, id, outputs } = parseInferRequest(request.body, ctx.maxInstances);
      const predictions = await ctx.predict(call, model, instances);
      return {
        model_name: model.name,
        model_version: String(model.version),
        // The client's id when it sent one; else the request id the inference log uses.
        id: id ?? call.id,
        outputs: outputTensors(model.predictor, predictions, outputs),
      };
    });
  }
}
