import type { Command } from 'commander';
import path from 'node:path';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { startDevServer } from '../../temporal/dev-server.js';
import { findTemporalCli } from '../../temporal/temporal-cli.js';
import { printLine, untilShutdown } from '../output.js';

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('embedded Temporal dev server with Web UI, persisted in SQLite under MLOPS_HOME')
    .option('--port <port>', 'frontend gRPC port', '7233')
    .option('--ui-port <port>', 'Web UI port', '8233')
    .option('--db <file>', 'SQLite file (default: $MLOPS_HOME/temporal.sqlite)')
    .action(async (opts: { port: string; uiPort: string; db?: string }) => {
      const config = loadConfig();
      const logger = createLogger('server');
      const cli = await findTemporalCli({ log: (m) => logger.info(m) });
      const server = await startDevServer({
        cliPath: cli.path,
        port: Number(opts.port),
        uiPort: Number(opts.uiPort),
        dbFile: opts.db,
        logFile: path.join(config.logsDir, 'temporal-server.log'),
        log: (m) => logger.info(m),
      });
      printLine(`Temporal server at ${server.address}, Web UI ${server.uiUrl} (Ctrl-C to stop)`);
      await untilShutdown();
      await server.stop();
    });
}
