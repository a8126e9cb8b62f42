/**
 * `mlops serve`: the model server over the configured registry (MLOPS_REGISTRY), with dynamic
 * batching, the inference log in `<MLOPS_HOME>/inference` (its closed files shipped to the
 * artifact store, MLOPS_ARTIFACTS, every MLOPS_INFERENCE_LOG_ROTATE, default 5m), and
 * bearer-token auth when MLOPS_SERVE_TOKEN is set. SIGINT/SIGTERM drain in-flight requests,
 * then close and ship the log.
 */
import type { Command } from 'commander';
import { durationMs } from '../../shared/duration.js';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { openArtifactStore, openRegistry } from '../../registry/open.js';
import { bearerChecker } from '../../serving/auth.js';
import { inferenceLogDir } from '../../serving/inference-log.js';
import { defaultCacheLimits } from '../../serving/model-cache.js';
import { limitsFromEnv } from '../../serving/limits.js';
import { bundleLoader } from '../../serving/registry-loader.js';
import { startServer, type RunningServer, type ServerOptions } from '../../serving/server.js';
import { printLine, untilShutdown } from '../output.js';

interface ServeOptions {
  port: string;
  host: string;
  inferenceLog: boolean;
  maxBatch: string;
  batchWaitMs: string;
  maxModels: string;
  maxModelBytes: string;
}

function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new MlopsError('UsageError', `${flag} must be a number >= 0, got "${text}"`);
  return value;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description("the model server: serves each model's production version over HTTP")
    .option('--port <port>', 'HTTP port', '8501')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--no-inference-log', 'do not log predictions under MLOPS_HOME/inference')
    .option('--max-batch <n>', 'most instances per batched forward pass (1 turns batching off)', '64')
    .option('--batch-wait-ms <ms>', 'longest a request waits to be batched (0: one event-loop turn)', '0')
    .option('--max-models <n>', 'most model versions kept loaded; the least recently used leave first and load again on their next request', String(defaultCacheLimits.maxModels))
    .option('--max-model-bytes <bytes>', 'most bytes of model artifacts kept loaded (e.g. 536870912, 512MiB, 2GiB)', '1GiB')
    .action(async (opts: ServeOptions) => {
      const server = await startModelServer(number(opts.port, '--port'), opts.host, {
        inferenceLog: opts.inferenceLog,
        batching: { maxBatchSize: number(opts.maxBatch, '--max-batch'), maxWaitMs: number(opts.batchWaitMs, '--batch-wait-ms') },
        maxModels: number(opts.maxModels, '--max-models'),
        maxModelBytes: byteCount(opts.maxModelBytes, '--max-model-bytes'),
      });
      printLine(`model server at ${server.url} (Ctrl-C to stop)`);
      await untilShutdown();
      await server.close();
    });
}

const byteUnits = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 } as const;

/** A byte count: a number with an optional unit (B, KiB, MiB, GiB, kB, MB, GB). */
export function byteCount(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase() as keyof typeof byteUnits | undefined;
  const bytes = match && unit !== undefined && unit in byteUnits ? Math.floor(Number(match[1]) * byteUnits[unit]) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new MlopsError('UsageError', `${flag} must be a number of bytes, optionally with a unit (e.g. 536870912, 512MiB, 2GiB), got "${text}"`);
  return bytes;
}

/** MLOPS_INFERENCE_LOG_ROTATE (`30s`, `5m`, `1h`): how often the inference log ships a file; undefined for the default. */
export function inferenceLogRotateMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.MLOPS_INFERENCE_LOG_ROTATE?.trim();
  if (!text) return undefined;
  try {
    const ms = durationMs(text);
    if (ms > 0) return ms;
  } catch {
    // Reported below with the variable's name.
  }
  throw new MlopsError('UsageError', `MLOPS_INFERENCE_LOG_ROTATE="${text}" is not a duration: use a number and a unit, e.g. 30s, 5m or 1h`);
}

/** Hosts that only this machine can reach. */
const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/**
 * Starts the model server on MLOPS_HOME's registry (also used by `mlops dev`). The inference
 * log is on unless `inferenceLog: false`; MLOPS_SERVE_TOKEN, when set, turns on auth (and
 * MLOPS_FEEDBACK_TOKEN guards `:feedback` separately); MLOPS_SERVE_* set the limits. Binding a
 * host other than loopback without a token prints a warning.
 */
export async function startModelServer(
  port: number,
  host: string,
  options: { inferenceLog?: boolean; batching?: ServerOptions['batching']; pollMs?: number } & Pick<ServerOptions, 'maxModels' | 'maxModelBytes'> = {},
): Promise<RunningServer> {
  const config = loadConfig();
  // Set but empty or short is refused before anything opens: it must never silently turn auth off.
  const token = process.env.MLOPS_SERVE_TOKEN;
  const feedbackToken = process.env.MLOPS_FEEDBACK_TOKEN;
  if (token !== undefined) bearerChecker(token, 'MLOPS_SERVE_TOKEN');
  if (feedbackToken !== undefined) bearerChecker(feedbackToken, 'MLOPS_FEEDBACK_TOKEN');
  const limits = limitsFromEnv();
  const rotateMs = inferenceLogRotateMs();
  const logger = createLogger('serve');
  if (token === undefined && !loopback.test(host)) {
    logger.warn(`serving on ${host} without a token: anyone who can reach this port can predict and send feedback; set MLOPS_SERVE_TOKEN (e.g. $(openssl rand -hex 16))`);
  }
  const registry = openRegistry(config);
  const store = openArtifactStore(config);
  const server = await startServer({
    registry,
    loadPredictor: bundleLoader(store),
    logger,
    port,
    host,
    token,
    feedbackToken,
    store,
    limits,
    batching: options.batching,
    pollMs: options.pollMs,
    maxModels: options.maxModels,
    maxModelBytes: options.maxModelBytes,
    ...(options.inferenceLog === false ? {} : { inferenceLog: { dir: inferenceLogDir(config.home), store, registry, rotateMs } }),
  });
  // The registry may hold connections (PostgreSQL): released once the log has shipped its last file.
  return { ...server, close: () => server.close().then(() => registry.close()) };
}
