/**
 * `mlops dev` (what `npm start` runs): the Temporal dev server, a worker, the model server and
 * the taxi demo pipeline in one process tree, with the links and commands a person needs.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type MlopsConfig } from '../../config.js';
import { generateTrips } from '../../demo/taxi-trips.js';
import { createLogger } from '../../logger.js';
import { loadSpecFile } from '../../spec/parse.js';
import { connectClient } from '../../temporal/client.js';
import { plainTemporalSettings } from '../../temporal/connection.js';
import { startDevServer } from '../../temporal/dev-server.js';
import { startTrainingPipeline, waitForStage } from '../../temporal/pipeline-client.js';
import { findTemporalCli } from '../../temporal/temporal-cli.js';
import { createMlopsWorker } from '../../temporal/worker.js';
import { printLine, untilShutdown } from '../output.js';
import { metricsText } from '../../report/status-summary.js';
import { startModelServer } from './serve.js';
import { startConsoleFor } from './ui.js';

/**
 * The demo's spec: examples/taxi/spec.yaml in a clone; the build copies it to the same place
 * under dist/. The demo runs from a copy under MLOPS_HOME, with its data beside it, so nothing
 * is ever written into the package's own folder (node_modules when installed).
 */
const demoSpec = fileURLToPath(new URL('../../../examples/taxi/spec.yaml', import.meta.url));
/** How to run this CLI again, as the person ran it: from a clone's sources or the installed package. */
const mlops = import.meta.url.endsWith('.ts') ? 'node bin/mlops.js' : 'npx mlops';

interface DevOptions {
  port: string;
  uiPort: string;
  servePort: string;
  consolePort: string;
  demo: boolean;
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('server + worker + serve + the taxi demo, in one process tree (npm start)')
    .option('--port <port>', 'Temporal frontend port', '7233')
    .option('--ui-port <port>', 'Temporal Web UI port', '8233')
    .option('--serve-port <port>', 'model server port', '8501')
    .option('--console-port <port>', 'web console port (mlops ui)', '8080')
    .option('--no-demo', 'do not start the demo pipeline')
    .action(async (opts: DevOptions) => runDev(opts));
}

async function runDev(opts: DevOptions): Promise<void> {
  const logger = createLogger('dev');
  const started = Date.now();
  const base = loadConfig();
  const cli = await findTemporalCli({ log: (m) => logger.info(m) });
  const server = await startDevServer({
    cliPath: cli.path,
    port: Number(opts.port),
    uiPort: Number(opts.uiPort),
    logFile: path.join(base.logsDir, 'temporal-server.log'),
    log: (m) => logger.info(m),
  });
  // Our own server: no TLS or API key, whatever TEMPORAL_* or the temporal.toml profile say.
  const config: MlopsConfig = Object.freeze({ ...base, temporalAddress: server.address, temporal: plainTemporalSettings(server.address, server.namespace) });
  const { worker, connection } = await createMlopsWorker({ config, logger: createLogger('worker') });
  const running = worker.run();
  const http = await startModelServer(Number(opts.servePort), '127.0.0.1');

  printLine(`Temporal Web UI:  ${server.uiUrl}`);
  printLine(`Model server:     ${http.url}`);
  const webConsole = await startConsoleFor(config, { port: Number(opts.consolePort), host: '127.0.0.1', temporalUiUrl: server.uiUrl });
  printLine(`Console:          ${webConsole.url}${webConsole.readOnly ? ' (read-only: set MLOPS_UI_USER_HEADER or MLOPS_UI_TOKENS to approve from it)' : ''}`);
  if (opts.demo) await runDemo(config, server.uiUrl, http.url, started).catch((err) => logger.error({ err }, 'demo failed'));

  printLine('Running; Ctrl-C to stop.');
  try {
    await Promise.race([untilShutdown(), running]);
  } finally {
    // Worker.run() reacts to SIGINT/SIGTERM itself; only ask it to stop when it has not.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
    await Promise.all([http.close(), webConsole.close(), connection.close()]);
    await server.stop();
  }
}

async function runDemo(config: MlopsConfig, uiUrl: string, serveUrl: string, started: number): Promise<void> {
  const demoDir = path.join(config.home, 'demo', 'taxi');
  const dataDir = path.join(demoDir, 'data');
  const specFile = path.join(demoDir, 'spec.yaml');
  await mkdir(demoDir, { recursive: true });
  await copyFile(demoSpec, specFile);
  if (!existsSync(dataDir)) {
    printLine(`Generating the taxi trips demo data (${path.relative(process.cwd(), dataDir)})…`);
    // Four months to train on; the two later (drifted) months arrive as "incoming" data for monitoring.
    await generateTrips({ outDir: dataDir, months: 4, rowsPerMonth: 20_000, seed: 42, format: 'parquet' });
    await generateTrips({ outDir: path.join(dataDir, 'incoming'), months: 2, rowsPerMonth: 20_000, seed: 42, format: 'parquet', startMonth: 4 });
  }
  const spec = await loadSpecFile(specFile);
  const client = await connectClient(config);
  const handle = await startTrainingPipeline(client, spec, { taskQueue: config.taskQueue });
  const id = handle.workflowId;
  printLine('');
  printLine(`Started trainingPipeline: ${id}`);
  printLine(`Watch it:  ${uiUrl}/namespaces/${config.namespace}/workflows/${encodeURIComponent(id)}`);
  const status = await waitForStage(handle, ['awaiting-approval', 'deployed', 'rejected']);
  if (status.stage !== 'awaiting-approval') {
    printLine(`The pipeline ended as "${status.stage}"${status.error ? `: ${status.error}` : ''}.`);
    return;
  }
  printLine(`Awaiting approval after ${((Date.now() - started) / 1000).toFixed(1)} s. Metrics: ${metricsText(status.metrics ?? {})}`);
  for (const reason of status.decision?.reasons ?? []) printLine(`  ${reason}`);
  printLine('Approve the deployment from another terminal in this folder:');
  printLine(`  ${mlops} approve ${id} --reviewer "$USER" --comment "looks good"`);
  printLine(`  (or: temporal workflow signal --workflow-id ${id} --name approve --input '{"reviewer":"ana"}')`);
  const result = await handle.result();
  if (!result.deployed) {
    printLine(`Not deployed: ${result.decision.approval?.reason ?? result.decision.reasons.join('; ')}`);
    return;
  }
  printLine(`Deployed ${result.model} v${result.version} after ${((Date.now() - started) / 1000).toFixed(1)} s. Try it:`);
  printLine(`  curl -s ${serveUrl}/v1/models/${result.model}:predict -H 'content-type: application/json' \\`);
  printLine(`    -d '{"instances":[{"trip_distance":3.2,"hour":8,"weekday":1,"passenger_count":1,"PULocationID":"132","DOLocationID":"236"}]}'`);
  const shownSpec = path.relative(process.cwd(), specFile);
  printLine(`Continuous training on the later, drifted months (${path.relative(process.cwd(), path.join(dataDir, 'incoming'))}):`);
  printLine(`  ${mlops} monitor ${shownSpec}      # checks every monitoring.interval`);
  printLine(`  temporal workflow signal --address ${config.temporalAddress} --workflow-id monitor-taxi-duration --name newData   # check now`);
  printLine(`  ${mlops} status monitor-taxi-duration --json    # drift report and decisions`);
}
