import type { Command } from 'commander';
import { MlopsError } from '../../errors.js';

/** `mlops validate SPEC [--data PATH] [--json]` (work in progress). */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('statistics + schema + anomalies for a dataset')
    .argument('<spec>')
    .option('--data <path>', 'validate this file, directory or glob instead of data.source')
    .option('--json', 'print JSON only')
    .action(() => {
      throw new MlopsError('UsageError', 'mlops validate is not implemented yet');
    });
}
