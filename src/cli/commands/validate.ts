/**
 * `mlops validate SPEC [--data PATH] [--schema FILE] [--report FILE] [--json]`: statistics,
 * schema and anomalies for a dataset, without a Temporal server. The schema is the one
 * `--schema` names, else the spec's `data.schema`, else the production model's (from the
 * registry under MLOPS_HOME), else inferred from the data. Exits non-zero when an anomaly is
 * an error, after printing them all.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { anomalyError } from '../../data/anomalies.js';
import { serializeDataSchema } from '../../data/data-schema.js';
import { expectedSchema } from '../../data/expected-schema.js';
import type { ColumnStatistics } from '../../data/statistics.js';
import { describeOutcome, validateDataset, type ValidationOutcome } from '../../data/validate.js';
import { loadConfig } from '../../config.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { openArtifactStore, openRegistry } from '../../registry/open.js';
import { textTable } from '../../report/text-table.js';
import { renderValidationReport } from '../../report/validation-report.js';
import { loadSpecFile } from '../../spec/parse.js';
import { printJson, printLine } from '../output.js';

interface ValidateFlags {
  readonly data?: string;
  readonly schema?: string;
  readonly report?: string;
  readonly writeSchema?: string;
  readonly json?: boolean;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('statistics + schema + anomalies for a dataset')
    .argument('<spec>', 'pipeline spec (YAML or JSON): target, features, validation options')
    .option('--data <path>', 'file, directory or glob to check instead of data.source')
    .option('--schema <file>', "check against this schema file instead of data.schema or the production model's")
    .option('--report <file>', 'write the HTML report to this file')
    .option('--write-schema <file>', 'write the schema (inferred or used) to this file, e.g. to pin it with data.schema')
    .option('--json', 'print JSON only')
    .action(async (specFile: string, flags: ValidateFlags) => {
      const spec = await loadSpecFile(specFile);
      const specDir = path.dirname(path.resolve(specFile));
      const config = loadConfig();
      const expected = await expectedSchema({
        spec,
        baseDir: specDir,
        registry: openRegistry(config),
        store: openArtifactStore(config),
        file: flags.schema === undefined ? undefined : path.resolve(flags.schema),
      });
      const outcome = await validateDataset({ spec, dataset: flags.data === undefined ? undefined : path.resolve(flags.data), baseDir: specDir, schema: expected.schema });
      if (flags.report !== undefined) {
        const html = renderValidationReport({ ...outcome, schemaSource: expected.label, reference: expected.reference, at: new Date().toISOString() });
        await writeFileAtomic(path.resolve(flags.report), html);
      }
      if (flags.writeSchema !== undefined) await writeFileAtomic(path.resolve(flags.writeSchema), serializeDataSchema(outcome.schema));
      if (flags.json) printJson(jsonOf(outcome, expected.source));
      else printHuman(outcome, expected.label, flags.report);
      const err = anomalyError(outcome.anomalies, outcome.origin);
      if (err) throw err;
    });
}

function jsonOf(outcome: ValidationOutcome, schemaSource: string) {
  const { origin, rowCount, anomalies, statistics, schema } = outcome;
  return { origin, rowCount, valid: !anomalies.some((a) => a.severity === 'error'), schemaSource, anomalies, statistics, schema };
}

function printHuman(outcome: ValidationOutcome, schemaLabel: string, report: string | undefined): void {
  printLine(`${outcome.origin}: ${describeOutcome(outcome, schemaLabel)}`);
  printLine();
  if (outcome.anomalies.length > 0) {
    printLine(textTable(['severity', 'kind', 'column', 'finding'], outcome.anomalies.map((a) => [a.severity, a.kind, a.column ?? '', a.message])));
    printLine();
  }
  printLine(textTable(['column', 'kind', 'type', 'count', 'missing', 'distinct', 'summary'], outcome.statistics.columns.map((c) => [c.name, c.kind, c.type, c.count, c.missing, c.distinct, columnSummary(c)])));
  if (report !== undefined) printLine(`\nreport: ${path.resolve(report)}`);
}

function columnSummary(c: ColumnStatistics): string {
  const n = (x: number | null) => (x === null ? '-' : String(Number(x.toPrecision(4))));
  if (c.kind === 'numeric') return `min ${n(c.min)}, mean ${n(c.mean)}, max ${n(c.max)}`;
  if (c.kind === 'categorical') return `top: ${c.values.slice(0, 3).map((v) => `${v.value} (${v.count})`).join(', ')}`;
  return c.min !== undefined ? `${c.min} … ${c.max}` : '';
}
