/**
 * `mlops ui [--port 8080] [--host 127.0.0.1]`: the web console over the configured registry and
 * artifact store. Decisions need MLOPS_UI_USER_HEADER (behind a trusted proxy) or
 * MLOPS_UI_TOKENS; without either it is read-only.
 */
import type { Command } from 'commander';
import { loadConfig, type MlopsConfig } from '../../config.js';
import { canAuthenticate, loadConsoleAuth } from '../../console/auth.js';
import { startConsole } from '../../console/server.js';
import { openArtifactStore, openRegistry } from '../../registry/open.js';
import { connectClient } from '../../temporal/client.js';
import { printLine, untilShutdown } from '../output.js';

export function registerUiCommand(program: Command): void {
  program
    .command('ui')
    .description('the web console: models, runs, comparisons, monitoring, approvals')
    .option('--port <port>', 'HTTP port', '8080')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--temporal-ui <url>', 'the Temporal Web UI, for links to runs', process.env.MLOPS_TEMPORAL_UI_URL ?? 'http://localhost:8233')
    .action(async (opts: { port: string; host: string; temporalUi: string }) => {
      const running = await startConsoleFor(loadConfig(), { port: Number(opts.port), host: opts.host, temporalUiUrl: opts.temporalUi });
      printLine(`Console: ${running.url}${running.readOnly ? ' (read-only: set MLOPS_UI_USER_HEADER or MLOPS_UI_TOKENS to approve from it)' : ''}`);
      await untilShutdown();
      await running.close();
    });
}

/** The console over `config`'s registry, store and Temporal (also started by `mlops dev`). */
export async function startConsoleFor(config: MlopsConfig, options: { port: number; host: string; temporalUiUrl?: string }) {
  const auth = await loadConsoleAuth();
  const registry = openRegistry(config);
  let client: ReturnType<typeof connectClient> | undefined;
  const running = await startConsole({
    registry,
    store: openArtifactStore(config),
    auth,
    temporal: () => (client ??= connectClient(config)),
    namespace: config.namespace,
    ...options,
  });
  return {
    url: running.url,
    readOnly: !canAuthenticate(auth),
    async close() {
      await running.close();
      if (client) await (await client).connection.close();
      await registry.close();
    },
  };
}
