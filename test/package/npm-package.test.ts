/**
 * The package as a user gets it: `npm pack` (which builds dist/), the tarball installed offline
 * into two fresh projects in a temp folder, and there
 * - plain JavaScript (ESM, no tsx, no TypeScript loader): the Worker and client script of
 *   examples/plugin/ (the README's plugin section shows them verbatim): the user's own workflow
 *   beside MlopsPlugin's, trainingPipeline to awaiting-approval, approved by signal, deployed;
 * - TypeScript: `tsc --noEmit`, strict, skipLibCheck false, against the shipped declarations.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateTrips } from '../../src/demo/taxi-trips.js';
import { FileModelRegistry } from '../../src/registry/file-registry.js';
import { freshProjectFiles } from './offline-lock.js';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const examples = path.join(repo, 'examples/plugin');

interface PackResult {
  filename: string;
  integrity: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/** The environment of a user's shell: no loader or test-runner variables from this process. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'TSX_TSCONFIG_PATH') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Writes package.json, a lock from ours and .npmrc, then installs with `npm ci --offline`. */
async function installProject(dir: string, pack: PackResult, project: { dependencies: string[]; devDependencies?: string[] }): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { packageJson, lock } = freshProjectFiles(path.join(repo, 'package-lock.json'), {
    name: `user-${path.basename(dir)}`,
    tarball: `file:../${pack.filename}`,
    integrity: pack.integrity,
    ...project,
  });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  // What the README tells users: onnxruntime-node's install script would download CUDA files.
  await writeFile(path.join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  await exec('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv({}), maxBuffer: 64 << 20 });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** Resolves with the worker's "Worker ready in N ms" line; rejects if it exits first. */
function workerReady(worker: ChildProcess, output: { text: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.text += chunk.toString();
      const match = /Worker ready in (\d+) ms/.exec(output.text);
      if (match) resolve(Number(match[1]));
    };
    worker.stdout?.on('data', onData);
    worker.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it was ready:\n${output.text.slice(-3000)}`)));
  });
}

describe('the npm package', () => {
  let dir: string;
  let pack: PackResult;
  const js = () => path.join(dir, 'js');
  const ts = () => path.join(dir, 'ts');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mlops-npm-'));
    // `npm pack` runs `prepare`, which builds dist/.
    const { stdout } = await exec('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: repo, maxBuffer: 64 << 20 });
    pack = (JSON.parse(stdout) as PackResult[])[0]!;
    await Promise.all([
      installProject(js(), pack, { dependencies: ['@temporalio/client', '@temporalio/worker', '@temporalio/workflow'] }),
      installProject(ts(), pack, { dependencies: ['@temporalio/client', '@temporalio/worker'], devDependencies: ['typescript', '@types/node'] }),
    ]);
  }, 900_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships only what runs: compiled code, declarations, the CLI, README and LICENSE', () => {
    const files = pack.files.map((f) => f.path);
    console.log(`temporal-mlops tarball: ${pack.size} bytes packed, ${pack.unpackedSize} unpacked, ${pack.entryCount} files`);
    const allowed = /^(package\.json|README\.md|LICENSE|bin\/mlops\.js|dist\/(src|workflows|activities)\/.+\.(js|mjs|d\.ts|d\.mts)|dist\/examples\/taxi\/spec\.yaml)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench|\.ci|scripts|examples\/plugin)\/|\.map$|\.test\.|\.tsbuildinfo$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    for (const needed of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/workflows/index.js',
      'dist/workflows/index.d.ts',
      'dist/src/cli/main.js',
      'dist/src/thread-boot.mjs',
      'dist/src/model/train-thread.js',
      'LICENSE',
    ]) {
      expect(files).toContain(needed);
    }
  });

  // tsc reads every declaration of the dependencies (skipLibCheck false): ~20 s of CPU.
  it('type-checks a TypeScript user (strict, skipLibCheck false) against the shipped declarations', { timeout: 600_000 }, async () => {
    await copyFile(path.join(repo, 'test/package/fixtures/user-project.ts'), path.join(ts(), 'main.ts'));
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] };
    await writeFile(path.join(ts(), 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }));
    const tsc = path.join(ts(), 'node_modules/typescript/bin/tsc');
    const { output, failed } = await exec('node', [tsc, '-p', '.'], { cwd: ts(), maxBuffer: 64 << 20 }).then(
      ({ stdout }) => ({ output: stdout, failed: false }),
      (err: { stdout: string; stderr: string }) => ({ output: `${err.stdout}${err.stderr}`, failed: true }),
    );
    const diagnostics = output.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS/.test(line));
    expect(failed && diagnostics.length === 0, `tsc failed without diagnostics:\n${output}`).toBe(false);
    // Ours and the user's file must be clean (the file's @ts-expect-error lines prove the types
    // are real, not any). Some dependencies' own declarations fail strict checks
    // (@temporalio/common imports the untyped `ms`; @tensorflow/tfjs-layers): not ours to fix,
    // and what every user with skipLibCheck false sees; listed, not failed on.
    const ours = diagnostics.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/temporal-mlops/'));
    expect(ours).toEqual([]);
    const theirs = [...new Set(diagnostics.map((line) => line.split('(')[0]))];
    if (theirs.length > 0) console.log(`dependencies' declarations with strict errors: ${theirs.join(', ')}`);
  });

  it("runs a plain JavaScript user's Worker with MlopsPlugin and its own workflow, and a client script that trains, approves and deploys", { timeout: 600_000 }, async () => {
    const project = js();
    expect(existsSync(path.join(project, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(path.join(project, 'node_modules/typescript'))).toBe(false);
    for (const file of ['worker.mjs', 'client.mjs', 'workflows.mjs']) await copyFile(path.join(examples, file), path.join(project, file));
    await generateTrips({ outDir: path.join(project, 'data'), months: 1, rowsPerMonth: 1500, seed: 11, format: 'parquet' });
    const installed = path.join(project, 'node_modules/temporal-mlops');
    const before = await filesUnder(installed);

    const env = userEnv({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      MLOPS_TASK_QUEUE: `npm-package-${Date.now()}`,
      MLOPS_HOME: path.join(project, '.mlops'),
      MLOPS_LOG_LEVEL: 'warn',
    });
    const worker = spawn('node', ['worker.mjs'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const workerOutput = { text: '' };
    try {
      const startMs = await workerReady(worker, workerOutput);
      console.log(`the plugin's Worker (packed JS project): Worker.create took ${startMs} ms`);

      const client = await exec('node', ['client.mjs'], { cwd: project, env, timeout: 400_000 }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`client.mjs failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}\nworker:\n${workerOutput.text.slice(-3000)}`);
      });
      expect(client.stdout).toMatch(/ is awaiting-approval; metrics: \{.*"rmse"/);
      expect(client.stdout).toContain('deployed trip-duration version 1');
      expect(client.stdout).toContain('hello, ana');

      // Ctrl-C: the Worker drains, the plugin closes what it opened, the process exits cleanly.
      const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
      worker.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    // Nothing was written into the installed package; the registry is under MLOPS_HOME.
    expect(await filesUnder(installed)).toEqual(before);
    expect((await new FileModelRegistry(path.join(project, '.mlops/registry')).resolve('trip-duration'))?.version).toBe(1);

    // The CLI runs the compiled code.
    const version = await exec('node', [path.join(project, 'node_modules/.bin/mlops'), '--version'], { cwd: project, env });
    expect(version.stdout.trim()).toBe(JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')).version);
  });

  it('is what the README shows: the plugin section holds examples/plugin/*.mjs verbatim', async () => {
    const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const file of ['workflows.mjs', 'worker.mjs', 'client.mjs']) {
      expect(blocks, `README.md has no js block equal to examples/plugin/${file}`).toContain(await readFile(path.join(examples, file), 'utf8'));
    }
  });
});
