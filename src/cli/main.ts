/**
 * `mlops`: the command line (design.md, "CLI"). Every command exits non-zero with a one-line
 * reason on failure; `--json` prints only JSON on stdout; logs go to stderr.
 */
import { Command } from 'commander';
import { packageInfo } from '../package-info.js';
import { registersFor } from './command-modules.js';

const program = new Command('mlops')
  .description('The machine-learning lifecycle as durable Temporal workflows')
  .version(packageInfo.version)
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
