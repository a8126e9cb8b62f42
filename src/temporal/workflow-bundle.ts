/**
 * The workflow bundle `mlops worker` and `mlops dev` run: bundled before Worker.create, with
 * webpack's module listing (which the SDK logs at INFO) sent to the debug log instead of the
 * terminal. Warnings and errors stay at their level.
 */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Logger } from '../logger.js';
import { workflowsPath, type MlopsPlugin } from './plugin.js';
import { pinoTemporalLogger } from './runtime-logger.js';

/** Bundles the plugin's workflows for `Worker.create({ workflowBundle, plugins: [plugin] })`. */
export async function bundleQuietly(plugin: MlopsPlugin, logger: Logger): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, plugins: [plugin], logger: pinoTemporalLogger(logger, (level) => (level === 'INFO' ? 'DEBUG' : level)) });
}
