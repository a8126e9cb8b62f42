import type { Command } from 'commander';
import { loadSpecFile, specJsonSchema } from '../../spec/parse.js';
import { printJson, printLine } from '../output.js';

export function registerSpecCommand(program: Command): void {
  const spec = program.command('spec').description('pipeline spec tools');
  spec
    .command('schema')
    .description("print the pipeline spec's JSON Schema")
    .action(() => printJson(specJsonSchema()));
  spec
    .command('check')
    .description('validate a spec file and print it with defaults filled in')
    .argument('<spec>')
    .option('--json', 'print JSON only')
    .action(async (file: string, opts: { json?: boolean }) => {
      const parsed = await loadSpecFile(file);
      if (opts.json) printJson(parsed);
      else printLine(`${file}: valid (${parsed.name}, ${parsed.task})`);
    });
}
