/**
 * Prometheus metrics of the model server, in a prom-client Registry of its own (so several
 * servers in one process, as in tests, never collide). Label values are bounded: routes are
 * route patterns, and `model` is set only for models that exist in the registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServingMetrics {
  readonly registry = new Registry();

  /** Finished HTTP requests. */
  readonly requests = new Counter({
    name: 'mlops_serving_requests_total',
    help: 'HTTP requests answered by the model server, by route pattern, model and status code',
    labelNames: ['route', 'model', 'status'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'mlops_serving_request_duration_seconds',
    help: 'Time from receiving a request to sending the reply, by route pattern and model',
    labelNames: ['route', 'model'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Error replies, by kind: an MlopsError type, a fastify error code, http_<status> or internal. */
  readonly errors = new Counter({
    name: 'mlops_serving_errors_total',
    help: 'Error replies of the model server, by route pattern, model, status code and kind',
    labelNames: ['route', 'model', 'status', 'kind'] as const,
    registers: [this.registry],
  });

  readonly predictions = new Counter({
    name: 'mlops_serving_predictions_total',
    help: 'Instances predicted, by model and version',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  readonly servedVersion = new Gauge({
    name: 'mlops_serving_model_version',
    help: 'The version each alias of a model is currently served at',
    labelNames: ['model', 'alias'] as const,
    registers: [this.registry],
  });

  /** Model versions loaded on demand (cold loads), with their load time. */
  readonly modelLoads = new Histogram({
    name: 'mlops_serving_model_loads_seconds',
    help: 'Model versions loaded on demand (a cold load: first request, or after eviction), by model; _count counts them',
    labelNames: ['model'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly modelEvictions = new Counter({
    name: 'mlops_serving_model_evictions_total',
    help: 'Model versions dropped from the cache to stay within --max-models and --max-model-bytes, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly loadedModels = new Gauge({
    name: 'mlops_serving_loaded_models',
    help: 'Model versions loaded (or loading) now',
    registers: [this.registry],
  });

  readonly loadedModelBytes = new Gauge({
    name: 'mlops_serving_loaded_model_bytes',
    help: 'Bytes of the model artifacts loaded now (what --max-model-bytes bounds)',
    registers: [this.registry],
  });

  /** Instances per forward pass: above 1 when dynamic batching coalesced requests. */
  readonly batchSize = new Histogram({
    name: 'mlops_serving_batch_instances',
    help: 'Instances per forward pass (dynamic batching coalesces concurrent requests)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096],
    registers: [this.registry],
  });

  readonly batchRequests = new Histogram({
    name: 'mlops_serving_batch_requests',
    help: 'Requests answered by one forward pass',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  readonly inferenceLogRows = new Counter({
    name: 'mlops_inference_log_rows_total',
    help: 'Rows appended to the inference log, by kind (predictions, feedback)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly inferenceLogDropped = new Counter({
    name: 'mlops_inference_log_dropped_total',
    help: 'Inference log rows dropped because the disk fell behind or a write failed',
    registers: [this.registry],
  });

  /** Closed inference-log files shipped to the artifact store and indexed in the registry. */
  readonly inferenceLogShipped = new Counter({
    name: 'mlops_inference_log_segments_shipped_total',
    help: 'Inference log segments shipped to the artifact store, by kind (predictions, feedback)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  /** Ship attempts that failed (the file is kept and shipped later). */
  readonly inferenceLogShipFailures = new Counter({
    name: 'mlops_inference_log_ship_failures_total',
    help: 'Inference log segments whose shipping failed; the file is kept and retried',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a finished request and its latency (seconds). */
  observeRequest(route: string, model: string, status: number, seconds: number): void {
    this.requests.inc({ route, model, status: String(status) });
    this.latency.observe({ route, model }, seconds);
  }

  /** Counts predicted instances of a model version. */
  countPredictions(model: string, version: number, instances: number): void {
    this.predictions.inc({ model, version: String(version) }, instances);
  }

  /** Counts one forward pass: its instances and the requests it answered. */
  observeBatch(instances: number, requests: number): void {
    this.batchSize.observe(instances);
    this.batchRequests.observe(requests);
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
