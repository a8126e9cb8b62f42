/**
 * The model server (`mlops serve`): TensorFlow-Serving-style and KServe v2 REST routes over
 * the registry's `production` versions, plus Prometheus metrics. `buildServer` wires a
 * fastify instance without listening (tests use `inject()`); `startServer` listens and
 * returns a handle whose `close()` drains in-flight requests and flushes the inference log.
 *
 * Every reply carries an `x-request-id` header: a fresh UUID the server issued. Predictions are
 * logged under it and `POST /v1/models/{name}:feedback` joins ground truth to them by it, for ids
 * this server issued only (./feedback-ledger.ts). A client's own `x-request-id` (1–128 characters
 * of `A-Z a-z 0-9 . _ : -`) is kept only as a correlation field: echoed as `x-client-request-id`
 * and logged as `client_request_id`.
 *
 * Input is checked at the boundary: a JSON body whose strings are not well-formed Unicode (a lone
 * surrogate like "\ud800") is a 400, and the limits of ./limits.ts bound time and size.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { MlopsError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Prediction, Predictor } from '../model/types.js';
import type { ArtifactRef, ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { bearerChecker, requireBearerTokens } from './auth.js';
import { DynamicBatcher, type BatchingOptions } from './batcher.js';
import { callOf, requestIdPattern, type Call, type ServingContext } from './context.js';
import { FeedbackLedger } from './feedback-ledger.js';
import { HttpError, toErrorReply } from './http-error.js';
import { InferenceLog, type InferenceLogOptions } from './inference-log.js';
import { LabelRanges } from './label-range.js';
import { resolveLimits, type ServerLimits } from './limits.js';
import { ServingMetrics } from './metrics.js';
import { defaultCacheLimits, ModelCache, type ModelLease, type ModelSelector, type ResolvedModel } from './model-cache.js';
import { registerKserveV2Routes } from './routes-kserve-v2.js';
import { registerTfServingRoutes } from './routes-tf-serving.js';
import { checkInstances } from './signature.js';
import { illFormedString } from './well-formed.js';

export interface ServerOptions {
  /** Where model versions and aliases are read from. */
  readonly registry: ModelRegistry;
  /** Turns a model bundle into a predictor (e.g. parseBundle + createPredictor). */
  readonly loadPredictor: (ref: ArtifactRef) => Promise<Predictor>;
  /** Logs swaps and server errors; silent when left out. */
  readonly logger?: Logger;
  /** Largest accepted request body in bytes (also `limits.bodyLimit`). Default 10 MiB. */
  readonly bodyLimit?: number;
  /** Timeouts and size limits (./limits.ts); `mlops serve` reads them from `MLOPS_SERVE_*`. */
  readonly limits?: Partial<ServerLimits>;
  /** How often an alias (e.g. `production`) is re-read from the registry, in ms. Default 1000. */
  readonly pollMs?: number;
  /** Most instances accepted in one request (also `limits.maxInstances`). Default 10,000. */
  readonly maxInstances?: number;
  /** Most model versions kept loaded (least recently used leave first). Default 1000. */
  readonly maxModels?: number;
  /** Most bytes of model artifacts kept loaded. Default 1 GiB. */
  readonly maxModelBytes?: number;
  /** Also export Node.js process metrics (CPU, memory, event loop) on /metrics. Default true. */
  readonly defaultMetrics?: boolean;
  /**
   * When set, every route except `/v2/health/live` and `/v2/health/ready` requires
   * `Authorization: Bearer <token>` (401 otherwise). `mlops serve` reads MLOPS_SERVE_TOKEN.
   */
  readonly token?: string;
  /**
   * When set, `:feedback` requires this token instead of `token`, so a client that may predict
   * cannot write ground truth. `mlops serve` reads MLOPS_FEEDBACK_TOKEN.
   */
  readonly feedbackToken?: string;
  /** Reads each version's data schema, for the range of regression labels (./label-range.ts). */
  readonly store?: ArtifactStore;
  /** How long, and for how many predictions, feedback is accepted (./feedback-ledger.ts). */
  readonly feedback?: { readonly windowMs?: number; readonly maxRequests?: number };
  /** Dynamic batching of concurrent small requests; on by default, `false` turns it off. */
  readonly batching?: BatchingOptions | false;
  /**
   * Where to log predictions and feedback (`mlops serve`: `<MLOPS_HOME>/inference`), and where
   * closed files are shipped (`store` and `registry`; without them files stay in `dir`); no
   * log when left out.
   */
  readonly inferenceLog?: InferenceLogSettings;
}

/** The inference log as a server takes it: {@link InferenceLogOptions} without the callbacks, which the server wires to its metrics. */
export type InferenceLogSettings = Pick<InferenceLogOptions, 'dir' | 'store' | 'registry' | 'rotateMs' | 'maxFileBytes' | 'maxBufferedBytes'>;

export interface ListenOptions {
  /** Default 8501, as TensorFlow Serving's REST port; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** How long `close()` waits for in-flight requests before cutting connections. Default 10 s. */
  readonly closeGraceMs?: number;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8501`. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops accepting connections, lets in-flight requests finish, then closes. */
  close(): Promise<void>;
}

interface Settings extends ServerLimits {
  readonly pollMs: number;
  readonly maxModels: number;
  readonly maxModelBytes: number;
}

function validate(options: ServerOptions): Settings {
  const limits = resolveLimits({ ...options.limits, ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}), ...(options.maxInstances !== undefined ? { maxInstances: options.maxInstances } : {}) });
  const pollMs = options.pollMs ?? 1000;
  if (!Number.isFinite(pollMs) || pollMs < 0) throw new MlopsError('UsageError', `pollMs must be >= 0, got ${pollMs}`);
  const maxModels = options.maxModels ?? defaultCacheLimits.maxModels;
  const maxModelBytes = options.maxModelBytes ?? defaultCacheLimits.maxBytes;
  if (!Number.isSafeInteger(maxModels) || maxModels < 1) {
    throw new MlopsError('UsageError', `maxModels (--max-models) must be a positive integer, got ${maxModels}`);
  }
  if (!Number.isSafeInteger(maxModelBytes) || maxModelBytes < 1) {
    throw new MlopsError('UsageError', `maxModelBytes (--max-model-bytes) must be a positive number of bytes, got ${maxModelBytes}`);
  }
  return Object.freeze({ ...limits, pollMs, maxModels, maxModelBytes });
}

const routeLabels = new Map<string, string>();

/** The route pattern as users write it (`/v1/models/:name:predict`), for metric labels. */
function routeLabel(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  if (url === undefined) return 'unmatched';
  let label = routeLabels.get(url);
  if (label === undefined) routeLabels.set(url, (label = url.replace(/\([^)]*\)/g, '').replaceAll('::', ':')));
  return label;
}

/** The client's `x-request-id` when it is safe to echo and log (a correlation field only). */
function clientRequestId(given: unknown): string | undefined {
  return typeof given === 'string' && requestIdPattern.test(given) ? given : undefined;
}

/** The index of the first prediction that is not a finite number (or has non-finite probabilities). */
function firstNonFinite(predictions: readonly Prediction[]): number {
  return predictions.findIndex((p) => (typeof p === 'number' ? !Number.isFinite(p) : !Object.values(p.probabilities).every(Number.isFinite)));
}

/** Records on the call how it was routed (its metrics labels and inference log rows say so). */
function routed(call: Call, selector: ModelSelector, model: ResolvedModel): ResolvedModel {
  call.model = model.name;
  call.alias = selector.version !== undefined ? null : (selector.alias ?? 'production');
  return model;
}

/** Builds the model server without listening. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const settings = validate(options);
  const isAuthorized = options.token !== undefined ? bearerChecker(options.token, 'MLOPS_SERVE_TOKEN') : undefined;
  const isFeedbackAuthorized = options.feedbackToken !== undefined ? bearerChecker(options.feedbackToken, 'MLOPS_FEEDBACK_TOKEN') : undefined;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    // One line per request is too much at serving rates; /metrics counts them instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimit,
    requestTimeout: settings.requestTimeoutMs,
    connectionTimeout: settings.idleTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Node checks the request and headers timeouts on this period (default 30 s): check often, so a slow client is cut near its limit.
    http: { maxHeaderSize: settings.maxHeaderBytes, headersTimeout: settings.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs) },
    // Ids are the server's own, so feedback can only name predictions this server made.
    genReqId: () => randomUUID(),
    // Bad URL encodings are a client error: same JSON shape as every other one.
    frameworkErrors: (err, request, reply) => sendError(err, request, reply),
  });
  // JSON only: without this fastify would hand a text/plain body to the handlers as a string.
  app.removeContentTypeParser('text/plain');

  const metrics = new ServingMetrics({ defaultMetrics: options.defaultMetrics });
  const cache = new ModelCache({
    registry: options.registry,
    loadPredictor: options.loadPredictor,
    pollMs: settings.pollMs,
    maxModels: settings.maxModels,
    maxBytes: settings.maxModelBytes,
    logger: app.log,
    onServe: (name, alias, version) => metrics.servedVersion.set({ model: name, alias }, version),
    onLoad: (name, _version, seconds) => metrics.modelLoads.observe({ model: name }, seconds),
    onEvict: (name) => metrics.modelEvictions.inc({ model: name }),
    onSize: (models, bytes) => {
      metrics.loadedModels.set(models);
      metrics.loadedModelBytes.set(bytes);
    },
  });
  // The models each request holds, released when it ends (an evicted model is disposed only then).
  const leases = new WeakMap<Call, ModelLease[]>();
  const ended = new WeakSet<Call>();
  const releaseModels = (call: Call): void => {
    ended.add(call);
    for (const lease of leases.get(call) ?? []) lease.release();
    leases.delete(call);
  };
  // A registry that notifies (PostgreSQL's LISTEN/NOTIFY) makes alias moves take effect at once;
  // polling every pollMs still covers a registry that cannot, and a dropped notification.
  const unwatch = options.registry.watch((name) => cache.refresh(name)).catch((err: unknown) => {
    app.log.warn({ err }, 'cannot follow registry notifications; alias changes are picked up by polling');
    return async () => {};
  });
  const batcher =
    options.batching === false
      ? new DynamicBatcher({ maxBatchSize: 1 })
      : new DynamicBatcher(options.batching, (instances, requests) => metrics.observeBatch(instances, requests));
  const log = options.inferenceLog
    ? new InferenceLog({
        ...options.inferenceLog,
        onWritten: (kind, rows) => metrics.inferenceLogRows.inc({ kind }, rows),
        onDropped: (rows, err) => {
          metrics.inferenceLogDropped.inc(rows);
          if (err) app.log.warn({ err }, `inference log: dropped ${rows} rows`);
        },
        onShipped: (segment) => metrics.inferenceLogShipped.inc({ kind: segment.kind }),
        onShipFailed: (file, err) => {
          metrics.inferenceLogShipFailures.inc();
          app.log.warn({ err, file }, 'inference log: shipping a file failed; it is kept and tried again at the next rotation or start');
        },
      })
    : undefined;
  let closing = false;
  const ledger = new FeedbackLedger(options.feedback);
  const labelRanges = new LabelRanges(options.store);

  const ctx: ServingContext = {
    registry: options.registry,
    cache,
    metrics,
    maxInstances: settings.maxInstances,
    maxFeedbackItems: settings.maxFeedbackItems,
    labelRange: (model) => labelRanges.of(model.entry),
    isReady: () => !closing,
    async resolve(call, name, selector) {
      const lease = await cache.acquire(name, selector);
      // A request whose client left before this resolved holds nothing.
      if (ended.has(call)) lease.release();
      else leases.set(call, [...(leases.get(call) ?? []), lease]);
      return routed(call, selector, lease);
    },
    async predict(call, model, instances) {
      const { predictor } = model;
      checkInstances(predictor.features, instances);
      const predictions = await batcher.predict(predictor, instances);
      const bad = firstNonFinite(predictions);
      if (bad >= 0) {
        throw new HttpError(422, `the model's output for instance ${bad} is not a finite number: its feature values are probably far outside what the model was trained on; check them`);
      }
      metrics.countPredictions(model.name, model.version, instances.length);
      ledger.issue(call.id, model.name, instances.length);
      log?.logPredictions({ model: model.name, version: model.version, alias: call.alias ?? null, requestId: call.id, clientRequestId: call.clientId, features: predictor.features, instances, predictions });
      return predictions;
    },
    recordFeedback(model, items) {
      if (log === undefined) return undefined;
      const fresh = ledger.accept(model, items);
      log.logFeedback(model, fresh);
      return fresh.length;
    },
  };

  /** The reply to an error, counted and (for 5xx) logged. */
  function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const call = callOf(request);
    const { status, message, kind } = toErrorReply(err, { contentType: request.headers['content-type'], bodyLimit: settings.bodyLimit });
    if (status >= 500) app.log.error({ err, url: request.url, reqId: call.id }, 'request failed');
    metrics.errors.inc({ route: routeLabel(request), model: call.model ?? '', status: String(status), kind });
    return reply.code(status).send({ error: message });
  }

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new MlopsError('ModelNotFound', `no route ${request.method} ${request.url.split('?')[0]}: predict with POST /v1/models/NAME:predict or POST /v2/models/NAME/infer; see the README for every route`),
      request,
      reply,
    ),
  );
  app.addHook('onResponse', (request, reply, done) => {
    const call = callOf(request);
    releaseModels(call);
    metrics.observeRequest(routeLabel(request), call.model ?? '', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    releaseModels(callOf(request));
    done();
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Runs once no request is in flight: whatever they logged reaches the disk.
  app.addHook('onClose', async () => {
    await (await unwatch)();
    await log?.close();
  });
  app.addHook('onRequest', async (request) => {
    callOf(request).clientId = clientRequestId(request.headers['x-request-id']);
  });
  // Well-formed Unicode only: a lone surrogate would be logged, and break the monitor that reads the log back.
  app.addHook('preValidation', async (request) => {
    const where = illFormedString(request.body);
    if (where !== undefined) {
      throw new HttpError(400, `the body holds a string that is not well-formed Unicode (a lone surrogate such as "\\ud800") at ${where}: send valid UTF-16 text`);
    }
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    const clientId = callOf(request).clientId;
    if (clientId !== undefined) void reply.header('x-client-request-id', clientId);
    // While shutting down, end keep-alive connections after their last reply, so close()
    // does not wait for clients to hang up.
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  requireBearerTokens(app, { serve: isAuthorized, feedback: isFeedbackAuthorized });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await metrics.render();
    return reply.type(contentType).send(text);
  });
  registerTfServingRoutes(app, ctx);
  registerKserveV2Routes(app, ctx);
  return app;
}

/** Builds the server and listens; `close()` drains in-flight requests (up to `closeGraceMs`). */
export async function startServer(options: ServerOptions & ListenOptions): Promise<RunningServer> {
  const app = buildServer(options);
  const url = await app.listen({ port: options.port ?? 8501, host: options.host ?? '127.0.0.1' });
  const graceMs = options.closeGraceMs ?? 10_000;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      // Past the grace period, cut connections whose requests have not finished.
      const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
    })();
    return closed;
  };
  return { url, app, close };
}
