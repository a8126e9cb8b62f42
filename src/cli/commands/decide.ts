import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { connectClient } from '../../temporal/client.js';
import { approve, reject } from '../../temporal/pipeline-client.js';
import { printLine } from '../output.js';

/** Checked before connecting, so a usage error never waits on the Temporal server. */
function requireText(value: string | undefined, flag: string): string {
  if (!value?.trim()) throw new MlopsError('UsageError', `${flag} must not be empty`);
  return value.trim();
}

export function registerDecisionCommands(program: Command): void {
  program
    .command('approve')
    .description('approve the deployment a trainingPipeline is waiting for')
    .argument('<workflowId>')
    .requiredOption('--reviewer <name>', 'who approves (recorded in the registry)')
    .option('--comment <text>')
    .action(async (workflowId: string, opts: { reviewer: string; comment?: string }) => {
      const reviewer = requireText(opts.reviewer, '--reviewer');
      const client = await connectClient(loadConfig());
      await approve(client.workflow.getHandle(workflowId), reviewer, opts.comment);
      printLine(`approve sent to ${workflowId}`);
    });

  program
    .command('reject')
    .description('reject the deployment a trainingPipeline is waiting for')
    .argument('<workflowId>')
    .requiredOption('--reviewer <name>', 'who rejects')
    .requiredOption('--reason <text>', 'why')
    .action(async (workflowId: string, opts: { reviewer: string; reason: string }) => {
      const reviewer = requireText(opts.reviewer, '--reviewer');
      const reason = requireText(opts.reason, '--reason');
      const client = await connectClient(loadConfig());
      await reject(client.workflow.getHandle(workflowId), reviewer, reason);
      printLine(`reject sent to ${workflowId}`);
    });
}
