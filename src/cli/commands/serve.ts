/**
 * `mlops serve`: the model server over the registry under MLOPS_HOME, with dynamic batching,
 * the inference log in `<MLOPS_HOME>/inference`, and bearer-token auth when
 * MLOPS_SERVE_TOKEN is set. SIGINT/SIGTERM drain in-flight requests and flush the log.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import { openArtifactStore, openRegistry } from '../../registry/open.js';
import { inferenceLogDir } from '../../serving/inference-log.js';
import { bundleLoader } from '../../serving/registry-loader.js';
import { startServer, type RunningServer, type ServerOptions } from '../../serving/server.js';
import { printLine, untilShutdown } from '../output.js';

interface ServeOptions {
  port: string;
  host: string;
  inferenceLog: boolean;
  maxBatch: string;
  batchWaitMs: string;
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
    .action(async (opts: ServeOptions) => {
      const server = await startModelServer(number(opts.port, '--port'), opts.host, {
        inferenceLog: opts.inferenceLog,
        batching: { maxBatchSize: number(opts.maxBatch, '--max-batch'), maxWaitMs: number(opts.batchWaitMs, '--batch-wait-ms') },
      });
      printLine(`model server at ${server.url} (Ctrl-C to stop)`);
      await untilShutdown();
      await server.close();
    });
}

/**
 * Starts the model server on MLOPS_HOME's registry (also used by `mlops dev`). The inference
 * log is on unless `inferenceLog: false`; MLOPS_SERVE_TOKEN, when set, turns on auth.
 */
export async function startModelServer(
  port: number,
  host: string,
  options: { inferenceLog?: boolean; batching?: ServerOptions['batching']; pollMs?: number } = {},
): Promise<RunningServer> {
  const config = loadConfig();
  const token = process.env.MLOPS_SERVE_TOKEN || undefined;
  return startServer({
    registry: openRegistry(config),
    loadPredictor: bundleLoader(openArtifactStore(config)),
    logger: createLogger('serve'),
    port,
    host,
    token,
    batching: options.batching,
    pollMs: options.pollMs,
    ...(options.inferenceLog === false ? {} : { inferenceLog: { dir: inferenceLogDir(config.home) } }),
  });
}
