import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadSpecFile } from '../../spec/parse.js';
import { connectClient } from '../../temporal/client.js';
import { approve, startTrainingPipeline, waitForStage } from '../../temporal/pipeline-client.js';
import { printJson, printLine } from '../output.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('start trainingPipeline from a YAML or JSON spec file')
    .argument('<spec>', 'pipeline spec file')
    .option('--wait', 'wait for the result and print it')
    .option('--approve', 'approve the deployment as soon as the pipeline asks (reviewer: $USER)')
    .option('--workflow-id <id>', 'workflow ID (default: train-<name>-<time>)')
    .option('--json', 'print JSON only')
    .action(async (specFile: string, opts: { wait?: boolean; approve?: boolean; workflowId?: string; json?: boolean }) => {
      const config = loadConfig();
      const spec = await loadSpecFile(specFile);
      const client = await connectClient(config);
      const handle = await startTrainingPipeline(client, spec, { taskQueue: config.taskQueue, workflowId: opts.workflowId });
      if (!opts.json) printLine(`started ${handle.workflowId}`);
      if (opts.approve) {
        const status = await waitForStage(handle, ['awaiting-approval', 'deployed', 'rejected']);
        if (status.stage === 'awaiting-approval') await approve(handle, process.env.USER || 'cli', 'approved with mlops run --approve');
      }
      if (!opts.wait && !opts.approve) {
        if (opts.json) printJson({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
        return;
      }
      const result = await handle.result();
      if (opts.json) printJson({ workflowId: handle.workflowId, ...result });
      else printLine(`${result.model}: ${result.deployed ? `deployed v${result.version}` : 'not deployed'} — ${JSON.stringify(result.metrics)}`);
    });
}
