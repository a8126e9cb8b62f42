/**
 * Which module defines each `mlops` command. The CLI loads only the module of the command it
 * runs: the modules pull in heavy dependencies (the Temporal worker, fastify, DuckDB,
 * TensorFlow.js), and loading all of them cost every command more than a second. Help and
 * unknown commands load them all. test/unit/cli/command-modules.test.ts checks this table
 * against what the modules register.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

interface CommandModule {
  readonly commands: readonly string[];
  load(): Promise<readonly Register[]>;
}

export const commandModules: readonly CommandModule[] = [
  { commands: ['server'], load: async () => [(await import('./commands/server.js')).registerServerCommand] },
  { commands: ['worker'], load: async () => [(await import('./commands/worker.js')).registerWorkerCommand] },
  { commands: ['serve'], load: async () => [(await import('./commands/serve.js')).registerServeCommand] },
  { commands: ['dev'], load: async () => [(await import('./commands/dev.js')).registerDevCommand] },
  { commands: ['run'], load: async () => [(await import('./commands/run.js')).registerRunCommand] },
  {
    commands: ['monitor', 'schedule'],
    load: async () => {
      const m = await import('./commands/monitor.js');
      return [m.registerMonitorCommand, m.registerScheduleCommand];
    },
  },
  { commands: ['approve', 'reject'], load: async () => [(await import('./commands/decide.js')).registerDecisionCommands] },
  { commands: ['status'], load: async () => [(await import('./commands/status.js')).registerStatusCommand] },
  { commands: ['models'], load: async () => [(await import('./commands/models.js')).registerModelsCommand] },
  { commands: ['promote', 'rollback', 'tag'], load: async () => [(await import('./commands/promote.js')).registerPromoteCommands] },
  { commands: ['validate'], load: async () => [(await import('./commands/validate.js')).registerValidateCommand] },
  { commands: ['drift'], load: async () => [(await import('./commands/drift.js')).registerDriftCommand] },
  { commands: ['runs'], load: async () => [(await import('./commands/runs.js')).registerRunsCommand] },
  { commands: ['ui'], load: async () => [(await import('./commands/ui.js')).registerUiCommand] },
  { commands: ['spec'], load: async () => [(await import('./commands/spec.js')).registerSpecCommand] },
];

/** The register functions for a command line: the named command's module, none for a bare `--version`, or every module when none matches (help, typos). */
export async function registersFor(argv: readonly string[]): Promise<Register[]> {
  const name = argv.find((arg) => !arg.startsWith('-'));
  if (name === undefined && argv.some((arg) => arg === '--version' || arg === '-V')) return [];
  const matching = commandModules.filter((m) => name !== undefined && m.commands.includes(name));
  const modules = matching.length > 0 ? matching : commandModules;
  return (await Promise.all(modules.map((m) => m.load()))).flat();
}
