/**
 * `mlops drift --reference PATH --current PATH [--spec SPEC] [--report FILE] [--fail-on-drift] [--json]`:
 * per-feature drift between two datasets, without a Temporal server. With a spec, its features
 * and `monitoring.drift` options are used; without one, every column both sides share.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { computeDrift, specDriftFeatures, type DriftResult } from '../../data/drift.js';
import { MlopsError } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { renderDriftReport } from '../../report/drift-report.js';
import { textTable } from '../../report/text-table.js';
import { loadSpecFile } from '../../spec/parse.js';
import { pipelineSpecSchema } from '../../spec/schema.js';
import { printJson, printLine } from '../output.js';

interface DriftFlags {
  readonly reference: string;
  readonly current: string;
  readonly spec?: string;
  readonly report?: string;
  readonly failOnDrift?: boolean;
  readonly json?: boolean;
}

export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description('drift report between a reference and a current dataset')
    .requiredOption('--reference <path>', 'reference data (e.g. the training data): file, directory or glob')
    .requiredOption('--current <path>', 'current data (e.g. recent traffic): file, directory or glob')
    .option('--spec <spec>', 'pipeline spec: its features and monitoring.drift options')
    .option('--report <file>', 'write the HTML report to this file')
    .option('--fail-on-drift', 'exit non-zero when the dataset drifted')
    .option('--json', 'print JSON only')
    .action(async (flags: DriftFlags) => {
      const spec = flags.spec === undefined ? undefined : await loadSpecFile(flags.spec);
      const settings = spec?.monitoring.drift ?? pipelineSpecSchema.shape.monitoring.parse(undefined).drift;
      const reference = path.resolve(flags.reference);
      const current = path.resolve(flags.current);
      const result = await computeDrift({ reference, current, baseDir: process.cwd(), features: spec ? specDriftFeatures(spec) : undefined, settings });
      if (flags.report !== undefined) {
        await writeFileAtomic(path.resolve(flags.report), renderDriftReport({ result, reference, current, at: new Date().toISOString() }));
      }
      if (flags.json) printJson(jsonOf(result));
      else printHuman(result, flags.report);
      if (flags.failOnDrift && result.datasetDrift) {
        throw new MlopsError('DataInvalid', `dataset drift: ${result.driftedCount} of ${result.features.length + result.untested.length} features drifted (threshold ${result.shareThreshold})`);
      }
    });
}

/** The result without the chart data. */
function jsonOf(result: DriftResult) {
  return { ...result, features: result.features.map(({ chart: _chart, ...rest }) => rest) };
}

function printHuman(result: DriftResult, report: string | undefined): void {
  const total = result.features.length + result.untested.length;
  const verdict = result.datasetDrift ? 'DATASET DRIFT' : 'no dataset drift';
  printLine(`${verdict}: ${result.driftedCount} of ${total} features drifted (share ${Number(result.shareDrifted.toFixed(3))}, threshold ${result.shareThreshold}); reference ${result.referenceRows} rows, current ${result.currentRows} rows`);
  printLine();
  if (result.features.length > 0) {
    const rows = result.features.map((f) => [f.feature, f.kind, f.test, f.score, `${f.test === 'ks' || f.test === 'chisquare' ? '<' : '>='} ${f.threshold}`, f.drifted ? 'DRIFTED' : 'ok']);
    printLine(textTable(['feature', 'kind', 'test', 'score', 'drift when', 'verdict'], rows));
  }
  for (const w of result.warnings) printLine(`warning: ${w}`);
  if (report !== undefined) printLine(`\nreport: ${path.resolve(report)}`);
}
