import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandModules, registersFor } from '../../../src/cli/command-modules.js';

const namesOf = (registers: readonly ((program: Command) => void)[]) => {
  const program = new Command('mlops');
  for (const register of registers) register(program);
  return program.commands.map((c) => c.name()).sort();
};

describe('the CLI command table', () => {
  it('names exactly the commands each module registers', async () => {
    for (const m of commandModules) expect(namesOf(await m.load())).toEqual([...m.commands].sort());
  });

  it('names every command once', () => {
    const all = commandModules.flatMap((m) => m.commands);
    expect(new Set(all).size).toBe(all.length);
    // The design's commands (design.md, "CLI") are all there.
    expect(all).toEqual(expect.arrayContaining(['server', 'worker', 'serve', 'dev', 'run', 'monitor', 'approve', 'reject', 'status', 'models', 'validate', 'drift']));
  });

  it('loads only the named command, everything for help or a typo, nothing for --version', async () => {
    expect(namesOf(await registersFor(['models', '--json']))).toEqual(['models']);
    expect(namesOf(await registersFor(['rollback', 'taxi']))).toEqual(['promote', 'rollback', 'tag']);
    const all = commandModules.flatMap((m) => m.commands).sort();
    expect(namesOf(await registersFor(['--help']))).toEqual(all);
    expect(namesOf(await registersFor(['modles']))).toEqual(all);
    expect(await registersFor(['--version'])).toEqual([]);
  });
});
