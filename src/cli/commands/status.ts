import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { monitorSummary, pipelineSummary } from '../../report/status-summary.js';
import { trainingProgressText } from '../../report/training-progress.js';
import { connectClient } from '../../temporal/client.js';
import type { MonitorStatus } from '../../../workflows/monitor-messages.js';
import type { PipelineStatus } from '../../../workflows/messages.js';
import { printJson, printLine } from '../output.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("a workflow's status: stage, data, metrics, drift and decisions (--json: the status query as is)")
    .argument('<workflowId>')
    .option('--json', 'print JSON only')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const client = await connectClient(loadConfig());
      const handle = client.workflow.getHandle(workflowId);
      const [description, status] = await Promise.all([handle.describe(), handle.query<PipelineStatus | MonitorStatus>('status')]);
      if (opts.json) return printJson(status);
      const heading = { workflowId, type: description.type, execution: description.status.name };
      printLine(description.type === 'continuousTraining' ? monitorSummary(heading, status as MonitorStatus) : pipelineSummary(heading, status as PipelineStatus));
      // The running train step's last heartbeat: a command's mlops:progress line, or the MLP's epoch.
      const progress = trainingProgressText(description.raw.pendingActivities);
      if (progress) printLine(`  ${'progress'.padEnd(11)}${progress}`);
    });
}
