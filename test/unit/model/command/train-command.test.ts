/**
 * The train activity with `model.type: command`, against real processes (Python with onnx, sh),
 * a real artifact store and a mock activity context: the environment contract end to end,
 * heartbeats, checkpoint restore on a retry, and the failures a user must be able to read.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { MockActivityEnvironment } from '@temporalio/testing';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.js';
import { trainActivity, type TrainInput, type TrainResult } from '../../../../activities/train.js';
import type { DatasetRef } from '../../../../src/data/types.js';
import { checkManifest } from '../../../../src/model/manifest.js';
import type { CommandHeartbeat } from '../../../../src/model/kinds/command/train.js';
import { programHash } from '../../../../src/model/kinds/command/program-hash.js';
import { pipelineSpecSchema, type PipelineSpec } from '../../../../src/spec/schema.js';
import { activityBench, activityEnv, type ActivityBench } from '../activity-fixtures.js';
import { regressionData, regressionSpec } from '../fixtures.js';

/** Debian's Python, which has the onnx package (a pyenv python3 on PATH may not). */
const python = '/usr/bin/python3';
const fixtures = fileURLToPath(new URL('../../../integration/fixtures/command/', import.meta.url));

let bench: ActivityBench;
let dataset: DatasetRef;
let base: PipelineSpec;
beforeAll(async () => {
  bench = await activityBench();
  ({ spec: base, dataset } = await bench.ingest(regressionSpec(), regressionData(120)));
});
afterAll(async () => bench?.close());

/** The ingested spec with a command model, on the numeric feature (linear.py writes one float matrix input). */
function commandSpec(command: string[], hyperparameters: Record<string, unknown> = {}, model: Record<string, unknown> = {}): PipelineSpec {
  const data = { ...base.data, features: [{ name: 'x', type: 'numeric' as const }] };
  return pipelineSpecSchema.parse({ ...base, data, model: { type: 'command', command, workDir: fixtures, dataFormat: 'csv', hyperparameters, ...model } });
}

const train = (env: MockActivityEnvironment, input: TrainInput, allowCommands = true) => env.run(trainActivity({ ...bench.deps, allowCommands }), input) as Promise<TrainResult>;
const attemptDirs = () => readdir(path.join(bench.deps.workDir, 'commands')).catch(() => [] as string[]);

describe('train activity with model.type command', () => {
  it('hands the command the contract, heartbeats its progress, and imports its model.onnx with lineage', async () => {
    const log = path.join(bench.home, 'handed.jsonl');
    const spec = commandSpec([python, 'linear.py'], { w: 3, sleep: 2, log });
    const env = activityEnv();
    const beats: CommandHeartbeat[] = [];
    env.on('heartbeat', (d: CommandHeartbeat | undefined) => d?.progress && beats.push(d));
    const result = await train(env, { spec, dataset });

    const handed = JSON.parse((await readFile(log, 'utf8')).trim()) as { hyperparameters: unknown; train: string; validation: string };
    expect(handed.hyperparameters).toEqual({ w: 3, sleep: 2, log });
    expect(handed.train).toMatch(/train\.csv$/);
    expect(handed.validation).toMatch(/validation\.csv$/);
    // Keep-alive heartbeats repeat the last details between progress lines.
    expect([...new Set(beats.map((b) => b.progress?.['epoch']))]).toEqual([1, 2]);
    expect(result).toMatchObject({ kind: 'command', epochs: 2, loss: 0.5, resumedFromEpoch: 0 });
    expect(checkManifest(JSON.parse((await bench.deps.store.readBytes(result.bundle)).toString()))).toMatchObject({ kind: 'command', name: spec.name });
    expect(result.lineage).toMatchObject({
      trainer: 'command',
      hyperparameters: { w: 3, sleep: 2, log },
      command: { argv: [python, 'linear.py'], workDir: fixtures, program: await programHash([python, 'linear.py'], fixtures) },
    });
    expect((result.lineage as unknown as { command: { program: { files: string[] } } }).command.program.files).toEqual(['linear.py']);
    expect(await attemptDirs()).toEqual([]);
  });

  it('runs commands unless the worker is started with MLOPS_ALLOW_COMMANDS=0', () => {
    expect(loadConfig({}).allowCommands).toBe(true);
    expect(loadConfig({ MLOPS_ALLOW_COMMANDS: '0' }).allowCommands).toBe(false);
    expect(loadConfig({ MLOPS_ALLOW_COMMANDS: 'false' }).allowCommands).toBe(false);
  });

  it('refuses to run a command on a worker that does not allow them', async () => {
    const marker = path.join(bench.home, 'ran.txt');
    const err = await train(activityEnv(), { spec: commandSpec(['sh', '-c', `touch ${JSON.stringify(marker)}`]), dataset }, false).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'TrainingFailed', nonRetryable: true, message: expect.stringContaining('MLOPS_ALLOW_COMMANDS=0') });
    await expect(readFile(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails without retrying when the command exits 0 without writing model.onnx', async () => {
    const err = await train(activityEnv(), { spec: commandSpec([python, 'linear.py'], { noModel: true }), dataset }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'TrainingFailed', nonRetryable: true, message: expect.stringContaining('wrote no model.onnx into MLOPS_MODEL_DIR') });
  });

  it('fails (retryably) with the exit code and the last lines of stderr', async () => {
    const err = await train(activityEnv(), { spec: commandSpec([python, 'linear.py'], { fail: 3 }), dataset }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'CommandFailed', nonRetryable: false });
    expect((err as Error).message).toContain('exited with code 3');
    expect((err as Error).message).toContain('ValueError: the learning rate is negative');
  });

  it("restores the previous attempt's checkpoint folder before the command starts again", async () => {
    const seen = path.join(bench.home, 'seen.txt');
    const first = commandSpec(['sh', '-c', 'echo 7 > "$MLOPS_CHECKPOINT_DIR/state"; echo \'mlops:progress {"epoch":7}\'; sleep 1; exit 1']);
    const env = activityEnv();
    let last: CommandHeartbeat | undefined;
    env.on('heartbeat', (d: CommandHeartbeat | undefined) => {
      if (d?.checkpoint) last = d;
    });
    await expect(train(env, { spec: first, dataset })).rejects.toMatchObject({ type: 'CommandFailed' });
    expect(last).toMatchObject({ checkpointEpoch: 7, progress: { epoch: 7 } });

    const second = commandSpec(['sh', '-c', `cat "$MLOPS_CHECKPOINT_DIR/state" > ${JSON.stringify(seen)}; exit 2`]);
    await expect(train(activityEnv({ attempt: 2, heartbeatDetails: last }), { spec: second, dataset })).rejects.toMatchObject({ type: 'CommandFailed' });
    expect((await readFile(seen, 'utf8')).trim()).toBe('7');
  });
});
