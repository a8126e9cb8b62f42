/**
 * The workflow bundle `mlops worker` and `mlops dev` run: bundled before Worker.create, with
 * webpack's module listing (which the SDK logs at INFO) sent to the debug log instead of the
 * terminal. Warnings and errors stay at their level.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Logger } from '../logger.js';
import { workflowsPath, type MlopsPlugin } from './plugin.js';
import { pinoTemporalLogger } from './runtime-logger.js';

/** Bundles the plugin's workflows for `Worker.create({ workflowBundle, plugins: [plugin] })`. */
export async function bundleQuietly(plugin: MlopsPlugin, logger: Logger): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, plugins: [plugin], logger: debugBelowWarn(pinoTemporalLogger(logger)) });
}

/** A logger that turns INFO into DEBUG. */
function debugBelowWarn(logger: TemporalLogger): TemporalLogger {
  const level = (l: LogLevel): LogLevel => (l === 'INFO' ? 'DEBUG' : l);
  const log = (l: LogLevel, message: string, meta?: LogMetadata) => logger.log(level(l), message, meta);
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
