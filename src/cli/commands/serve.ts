import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { FileArtifactStore } from '../../registry/artifact-store.js';
import { ModelRegistry } from '../../registry/model-registry.js';
import { bundleLoader } from '../../serving/registry-loader.js';
import { startServer } from '../../serving/server.js';
import { printLine, untilShutdown } from '../output.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description("the model server: serves each model's production version over HTTP")
    .option('--port <port>', 'HTTP port', '8501')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (opts: { port: string; host: string }) => {
      const server = await startModelServer(Number(opts.port), opts.host);
      printLine(`model server at ${server.url} (Ctrl-C to stop)`);
      await untilShutdown();
      await server.close();
    });
}

export async function startModelServer(port: number, host: string) {
  const config = loadConfig();
  return startServer({
    registry: new ModelRegistry(config.registryDir),
    loadPredictor: bundleLoader(new FileArtifactStore(config.artifactsDir)),
    logger: createLogger('serve'),
    port,
    host,
  });
}
