import type { Command } from 'commander';
import { MlopsError } from '../../errors.js';

/** `mlops drift --reference PATH --current PATH [--spec SPEC] [--json]` (work in progress). */
export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description('drift report between a reference and a current dataset')
    .requiredOption('--reference <path>', 'reference data: file, directory or glob')
    .requiredOption('--current <path>', 'current data: file, directory or glob')
    .option('--spec <spec>', 'pipeline spec: features, their types and drift options')
    .option('--json', 'print JSON only')
    .action(() => {
      throw new MlopsError('UsageError', 'mlops drift is not implemented yet');
    });
}
