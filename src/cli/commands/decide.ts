import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { connectClient } from '../../temporal/client.js';
import { approve, reject } from '../../temporal/pipeline-client.js';
import { printLine } from '../output.js';

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
      const client = await connectClient(loadConfig());
      await approve(client.workflow.getHandle(workflowId), requireText(opts.reviewer, '--reviewer'), opts.comment);
      printLine(`approve sent to ${workflowId}`);
    });

  program
    .command('reject')
    .description('reject the deployment a trainingPipeline is waiting for')
    .argument('<workflowId>')
    .requiredOption('--reviewer <name>', 'who rejects')
    .requiredOption('--reason <text>', 'why')
    .action(async (workflowId: string, opts: { reviewer: string; reason: string }) => {
      const client = await connectClient(loadConfig());
      await reject(client.workflow.getHandle(workflowId), requireText(opts.reviewer, '--reviewer'), requireText(opts.reason, '--reason'));
      printLine(`reject sent to ${workflowId}`);
    });
}
