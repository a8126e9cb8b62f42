import type { Command } from 'commander';

/** `mlops promote` and `mlops rollback` (filled in below as the registry grows). */
export function registerPromoteCommands(program: Command): void {
  void program;
}
