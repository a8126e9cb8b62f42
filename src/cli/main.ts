/**
 * `mlops`: the command line (design.md, "CLI"). Every command exits non-zero with a one-line
 * reason on failure; `--json` prints only JSON on stdout; logs go to stderr.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registersFor } from './command-modules.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('mlops')
  .description('The machine-learning lifecycle as durable Temporal workflows')
  .version(version)
  .showHelpAfterError('(run "mlops --help" for usage)');

for (const register of await registersFor(process.argv.slice(2))) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Loaded only on failure: it needs the Temporal client's error classes.
  const { failureReason } = await import('./failure-reason.js');
  process.stderr.write(`mlops: ${failureReason(err)}\n`);
  process.exitCode = 1;
}
