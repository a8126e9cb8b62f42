/** Runs `node bin/mlops.js …` as a user would, returning the exit code and both streams. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const bin = path.resolve('bin/mlops.js');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function runMlops(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Outcome> {
  return exec('node', [bin, ...args], { env: options.env ?? process.env, cwd: options.cwd, encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: Outcome) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}
