/**
 * `mlops`: the command line (design.md, "CLI"). Every command exits non-zero with a one-line
 * reason on failure; `--json` prints only JSON on stdout; logs go to stderr.
 */
import { Command } from 'commander';
import { registerDecisionCommands } from './commands/decide.js';
import { registerDevCommand } from './commands/dev.js';
import { registerDriftCommand } from './commands/drift.js';
import { registerModelsCommand } from './commands/models.js';
import { registerMonitorCommand, registerScheduleCommand } from './commands/monitor.js';
import { registerPromoteCommands } from './commands/promote.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerServerCommand } from './commands/server.js';
import { registerSpecCommand } from './commands/spec.js';
import { registerStatusCommand } from './commands/status.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkerCommand } from './commands/worker.js';
import { failureReason } from './failure-reason.js';

const program = new Command('mlops')
  .description('The machine-learning lifecycle as durable Temporal workflows')
  .showHelpAfterError('(run "mlops --help" for usage)');

for (const register of [
  registerServerCommand,
  registerWorkerCommand,
  registerServeCommand,
  registerDevCommand,
  registerRunCommand,
  registerMonitorCommand,
  registerScheduleCommand,
  registerDecisionCommands,
  registerStatusCommand,
  registerModelsCommand,
  registerPromoteCommands,
  registerValidateCommand,
  registerDriftCommand,
  registerSpecCommand,
]) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`mlops: ${failureReason(err)}\n`);
  process.exitCode = 1;
}
