/**
 * `model.type: command`: the user's own training program, in any language, run by the train
 * activity with the environment contract of design.md ("Any model, any trainer") and made as
 * durable as the built-in trainer:
 *
 * - the data export (DuckDB → Parquet or CSV), the spec and empty model and checkpoint folders
 *   are prepared in a folder of this attempt;
 * - the command runs in the spec file's folder, in a process group of its own; its output goes
 *   to the worker's log, and each `mlops:progress {…}` line becomes the heartbeat's detail;
 * - MLOPS_CHECKPOINT_DIR is snapshotted into the artifact store after each progress line and
 *   every {@link CHECKPOINT_EVERY_MS} while it changes; the heartbeat carries the snapshot, and a
 *   retried attempt (a crashed worker's, on any machine) restores it before the command starts;
 * - cancellation (and `model.timeout`) ends the process group: SIGTERM, then SIGKILL;
 * - exit 0 hands `model.onnx` to importOnnxModel; any other exit fails the attempt (retryable)
 *   with the exit code and the last lines of stderr.
 */
import { Context } from '@temporalio/activity';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActivityDeps } from '../../../../activities/deps.js';
import { workflowOf } from '../../../../activities/failure.js';
import { keepAliveMs } from '../../../../activities/keep-alive.js';
import { errorMessage, MlopsError } from '../../../errors.js';
import type { ArtifactRef } from '../../../registry/artifact-store.js';
import type { PipelineSpecOf } from '../../../spec/schema.js';
import { baseLineage, type TrainingLineage } from '../../lineage.js';
import type { TrainInput, TrainResult } from '../../train-result.js';
import { importOnnxModel } from '../onnx/import.js';
import { CheckpointFolder, restoreCheckpointFolder } from './checkpoint-folder.js';
import { commandEnvironment } from './environment.js';
import { exportTrainingData } from './export-data.js';
import { commandFailure } from './failure.js';
import { OutputLog } from './output-log.js';
import { epochOf, parseProgressLine, type CommandProgress } from './progress.js';
import { programHash, type ProgramHash } from './program-hash.js';
import { runCommand } from './run-command.js';

/** How often a changed checkpoint folder is snapshotted between progress lines. */
export const CHECKPOINT_EVERY_MS = 30_000;

/** Heartbeat details of a command: its last progress and the checkpoint folder to restore on a retry. */
export interface CommandHeartbeat {
  /** The last `mlops:progress` object the command printed. */
  readonly progress?: CommandProgress;
  /** The last snapshot of MLOPS_CHECKPOINT_DIR. */
  readonly checkpoint?: ArtifactRef;
  /** `progress.epoch` when the snapshot was taken, if the command reports epochs. */
  readonly checkpointEpoch?: number;
}

/** What lineage records about a command trainer, beside the hyperparameters. */
export interface CommandLineage {
  readonly argv: readonly string[];
  /** The folder it ran in (the spec file's). */
  readonly workDir: string;
  readonly program: ProgramHash;
}

/** Runs `model.command` and imports the `model.onnx` it writes. */
export async function trainWithCommand(deps: ActivityDeps, input: TrainInput): Promise<TrainResult> {
  const spec = input.spec as PipelineSpecOf<'command'>;
  const model = spec.model;
  if (deps.allowCommands === false) {
    throw new MlopsError(
      'TrainingFailed',
      `this worker refuses training commands (model.type command) because it runs with MLOPS_ALLOW_COMMANDS=0: send the training to a worker without that setting (e.g. model.gpu: true and a worker on MLOPS_GPU_TASK_QUEUE), or use model.type mlp or onnx`,
    );
  }
  const ctx = Context.current();
  const previous = ctx.info.heartbeatDetails as CommandHeartbeat | undefined;
  const attemptDir = (attempt: number) => path.join(deps.workDir, 'commands', `${workflowOf(ctx).runId}-${ctx.info.activityId}-${attempt}`);
  const dir = attemptDir(ctx.info.attempt);
  const paths = { data: path.join(dir, 'data'), modelDir: path.join(dir, 'model'), checkpointDir: path.join(dir, 'checkpoint'), specFile: path.join(dir, 'spec.json') };
  const workDir = model.workDir ?? deps.baseDir;
  let last: CommandHeartbeat | undefined = previous;
  const beat = (next: CommandHeartbeat): void => {
    last = next;
    ctx.heartbeat(last);
  };
  // Between progress lines the last details are re-sent: the server keeps the checkpoint, and
  // cancellation is delivered with a heartbeat's response.
  const keepAlive = setInterval(() => ctx.heartbeat(last), keepAliveMs(ctx));
  try {
    // Earlier attempts on this machine died before cleaning up; their checkpoints live on in the store.
    for (let a = 1; a <= ctx.info.attempt; a++) await rm(attemptDir(a), { recursive: true, force: true });
    await Promise.all([paths.data, paths.modelDir, paths.checkpointDir].map((d) => mkdir(d, { recursive: true })));
    const program = await programHash(model.command, workDir);
    const exported = await exportTrainingData({ dataset: await deps.store.localPath(input.dataset), spec, format: model.dataFormat, dir: paths.data });
    await writeFile(paths.specFile, JSON.stringify(spec, null, 2));
    const resumedFromEpoch = await restore(previous, paths.checkpointDir);

    const folder = new CheckpointFolder(paths.checkpointDir, deps.store, path.join(dir, 'staging'));
    let snapshots: Promise<void> = Promise.resolve();
    const snapshot = (): void => {
      snapshots = snapshots.then(async () => {
        const ref = await folder.snapshot();
        if (ref && ref.sha256 !== last?.checkpoint?.sha256) beat({ ...last, checkpoint: ref, checkpointEpoch: epochOf(last?.progress) });
      }).catch((err: unknown) => ctx.log.warn('could not snapshot the checkpoint folder; will try again', { error: errorMessage(err) }));
    };
    const output = new OutputLog(ctx.log);
    const periodic = setInterval(snapshot, CHECKPOINT_EVERY_MS);
    ctx.log.info('running the training command', { command: model.command, workDir, rows: exported.train.rows, resumedFromEpoch });
    const exit = await runCommand({
      argv: model.command,
      cwd: workDir,
      env: commandEnvironment(
        process.env,
        { trainData: exported.train.file, validationData: exported.validation?.file, modelDir: paths.modelDir, checkpointDir: paths.checkpointDir, specFile: paths.specFile },
        model.hyperparameters,
        model.seed,
      ),
      signal: ctx.cancellationSignal,
      onStdout: (line) => {
        const parsed = parseProgressLine(line);
        if (parsed.kind === 'progress') {
          beat({ ...last, progress: parsed.progress });
          // The command writes its checkpoint before it reports the epoch: keep it now.
          snapshot();
        } else if (parsed.kind === 'invalid') output.warn(parsed.reason);
        output.line('stdout', line);
      },
      onStderr: (line) => output.line('stderr', line),
    }).finally(() => clearInterval(periodic));
    await snapshots;
    if (exit.cancelled) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
    if (exit.code !== 0) throw commandFailure(model.command, exit);

    const onnxFile = path.join(paths.modelDir, 'model.onnx');
    if (!(await stat(onnxFile).catch(() => undefined))?.isFile()) {
      throw new MlopsError(
        'TrainingFailed',
        `${JSON.stringify(model.command)} exited 0 but wrote no model.onnx into MLOPS_MODEL_DIR; save the trained model as $MLOPS_MODEL_DIR/model.onnx (e.g. torch.onnx.export(model, example, os.path.join(os.environ["MLOPS_MODEL_DIR"], "model.onnx")))`,
        { command: model.command },
      );
    }
    const metrics = await readMetrics(path.join(paths.modelDir, 'metrics.json'));
    const commandLineage: CommandLineage = { argv: model.command, workDir, program };
    const { manifest } = await importOnnxModel({ spec, onnxFile, store: deps.store, kind: 'command', classes: model.classes, details: { command: commandLineage, ...(metrics ? { metrics } : {}) } });
    const lineage: TrainingLineage & { command: CommandLineage; metrics?: Record<string, number> } = { ...(await baseLineage(spec)), command: commandLineage, ...(metrics ? { metrics } : {}) };
    const epochs = epochOf(last?.progress);
    const loss = last?.progress?.['loss'];
    const valLoss = last?.progress?.['valLoss'];
    return {
      bundle: manifest,
      kind: 'command',
      ...(epochs !== undefined ? { epochs } : {}),
      ...(typeof loss === 'number' ? { loss } : {}),
      ...(typeof valLoss === 'number' ? { valLoss } : {}),
      resumedFromEpoch,
      lineage,
    };
  } finally {
    clearInterval(keepAlive);
    await rm(dir, { recursive: true, force: true });
  }

  /** Restores the last heartbeat's checkpoint folder; 0, or the epoch it was taken at. */
  async function restore(from: CommandHeartbeat | undefined, into: string): Promise<number> {
    if (!from?.checkpoint) return 0;
    try {
      const files = await restoreCheckpointFolder(deps.store, from.checkpoint, into);
      ctx.log.info('restored the checkpoint folder of the previous attempt', { files, epoch: from.checkpointEpoch });
      return from.checkpointEpoch ?? 0;
    } catch (err) {
      ctx.log.warn('the checkpoint folder to restore is unreadable; the command starts without it', { error: errorMessage(err) });
      await rm(into, { recursive: true, force: true });
      await mkdir(into, { recursive: true });
      return 0;
    }
  }
}

/** The numbers of `metrics.json`, when the command wrote one; anything else in it is ignored. */
async function readMetrics(file: string): Promise<Record<string, number> | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MlopsError('TrainingFailed', `metrics.json in MLOPS_MODEL_DIR is not JSON; write an object of numbers, e.g. {"val_rmse": 1.2}, or leave the file out`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MlopsError('TrainingFailed', 'metrics.json in MLOPS_MODEL_DIR must hold a JSON object of numbers, e.g. {"val_rmse": 1.2}');
  }
  const numbers = Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  return Object.fromEntries(numbers.slice(0, 100));
}
