import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadSpecFile } from '../../spec/parse.js';
import { connectClient } from '../../temporal/client.js';
import { createRetrainingSchedule, startContinuousTraining } from '../../temporal/client-helpers.js';
import { printJson, printLine } from '../output.js';

export function registerMonitorCommand(program: Command): void {
  program
    .command('monitor')
    .description('start continuousTraining: monitor drift and live performance, retrain, roll back')
    .argument('<spec>', 'pipeline spec file (its monitoring section sets the source and interval)')
    .option('--workflow-id <id>', 'workflow ID (default: monitor-<name>)')
    .option('--json', 'print JSON only')
    .action(async (specFile: string, opts: { workflowId?: string; json?: boolean }) => {
      const config = loadConfig();
      const spec = await loadSpecFile(specFile);
      const client = await connectClient(config);
      const handle = await startContinuousTraining(client, spec, { taskQueue: config.taskQueue, workflowId: opts.workflowId });
      if (opts.json) return printJson({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
      printLine(`started ${handle.workflowId}; "mlops status ${handle.workflowId}" shows the last drift report and decisions`);
    });
}

export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description('create a Temporal Schedule that runs trainingPipeline periodically (overlapping runs are skipped)')
    .argument('<spec>', 'pipeline spec file')
    .requiredOption('--every <interval>', 'how often, e.g. 24h, 7d or 30m')
    .option('--schedule-id <id>', 'schedule ID (default: retrain-<name>)')
    .option('--json', 'print JSON only')
    .action(async (specFile: string, opts: { every: string; scheduleId?: string; json?: boolean }) => {
      const config = loadConfig();
      const spec = await loadSpecFile(specFile);
      const client = await connectClient(config);
      const { scheduleId } = await createRetrainingSchedule(client, spec, { every: opts.every, scheduleId: opts.scheduleId, taskQueue: config.taskQueue });
      if (opts.json) return printJson({ scheduleId, every: opts.every });
      printLine(`schedule ${scheduleId}: trainingPipeline for ${spec.name} every ${opts.every} (overlap: skip)`);
    });
}
