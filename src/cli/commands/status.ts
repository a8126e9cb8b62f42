import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { connectClient } from '../../temporal/client.js';
import { pipelineStatus } from '../../temporal/pipeline-client.js';
import { printJson, printLine } from '../output.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("print a workflow's status query")
    .argument('<workflowId>')
    .option('--json', 'print JSON only')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const client = await connectClient(loadConfig());
      const status = await pipelineStatus(client.workflow.getHandle(workflowId));
      if (opts.json) return printJson(status);
      printLine(`${workflowId}: ${status.stage}`);
      if (status.metrics) printLine(`  metrics: ${JSON.stringify(status.metrics)}`);
      for (const reason of status.decision?.reasons ?? []) printLine(`  ${reason}`);
      if (status.decision?.approval) printLine(`  ${status.decision.approval.decision} by ${status.decision.approval.reviewer}`);
      if (status.version) printLine(`  deployed version: ${status.version}`);
      if (status.error) printLine(`  error: ${status.error}`);
    });
}
