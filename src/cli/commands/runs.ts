/**
 * `mlops runs [NAME] [--json]`: every pipeline run and sweep trial the registry kept, newest
 * first, whether or not Temporal still has the workflow's history.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { openRegistry } from '../../registry/open.js';
import type { RunRecord } from '../../registry/run-record.js';
import { metricsText } from '../../console/format.js';
import { printJson, printLine } from '../output.js';

export function registerRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('every pipeline run and sweep trial: outcome, trainer, hyperparameters, metrics, data, version')
    .argument('[name]', 'one model')
    .option('--limit <n>', 'at most this many, newest first', '100')
    .option('--trials', 'include sweep trials')
    .option('--json', 'print JSON only')
    .action(async (name: string | undefined, opts: { limit: string; trials?: boolean; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new MlopsError('UsageError', `--limit must be a whole number >= 1, got "${opts.limit}"`);
      const registry = openRegistry(loadConfig());
      const runs = await registry.listRuns({ model: name, kind: opts.trials ? undefined : 'pipeline', limit });
      if (opts.json) return printJson(runs);
      if (runs.length === 0) return printLine(name ? `no runs of "${name}" recorded` : 'no runs recorded yet: run a pipeline with "mlops run SPEC"');
      for (const run of runs) printLine(runLine(run));
    });
}

function runLine(run: RunRecord): string {
  return [
    run.startedAt,
    run.model,
    run.kind === 'trial' ? `${run.workflowId}#${run.trial}` : run.workflowId,
    run.outcome + (run.version ? ` v${run.version}` : ''),
    run.trainer ?? '',
    metricsText(run.metrics),
    run.datasetSha256 ? `data ${run.datasetSha256.slice(0, 12)}` : '',
    run.reason ? `(${run.reason})` : '',
  ]
    .filter(Boolean)
    .join('  ');
}
