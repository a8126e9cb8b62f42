/**
 * `model.type: mlp`: fits the built-in MLP in a worker thread so the activity's event loop stays
 * free for heartbeats and cancellation. Each epoch's checkpoint goes to the artifact store and
 * into the heartbeat; a retried attempt resumes from the last one in `heartbeatDetails`. The
 * trained network is exported to ONNX with its preprocessing inside (onnx-export.ts) and stored
 * as every other model is (importOnnxModel).
 */
import { Context } from '@temporalio/activity';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ActivityDeps } from '../../../../activities/deps.js';
import { workflowOf } from '../../../../activities/failure.js';
import { keepAliveMs } from '../../../../activities/keep-alive.js';
import { loadSplit } from '../../../data/split.js';
import { errorMessage } from '../../../errors.js';
import type { ArtifactRef } from '../../../registry/artifact-store.js';
import type { PipelineSpecOf } from '../../../spec/schema.js';
import { serializeBundle } from '../../bundle.js';
import { mlpTrainingLineage } from '../../lineage.js';
import type { TrainInput, TrainResult } from '../../train-result.js';
import { trainInThread } from '../../trainer.js';
import { importOnnxModel } from '../onnx/import.js';
import { exportMlpToOnnx } from './onnx-export.js';
import type { TrainProgress } from '../../types.js';

/** Heartbeat details: progress plus the checkpoint to resume from. */
export interface TrainHeartbeat extends TrainProgress {
  readonly checkpoint: ArtifactRef;
}

/** Trains `model.type: mlp` inside the train activity and stores its bundle. */
export async function trainMlp(deps: ActivityDeps, input: TrainInput & { readonly spec: PipelineSpecOf<'mlp'> }): Promise<TrainResult> {
  const ctx = Context.current();
  const previous = ctx.info.heartbeatDetails as TrainHeartbeat | undefined;
  const attemptDir = (attempt: number) => path.join(deps.workDir, 'checkpoints', `${workflowOf(ctx).runId}-${ctx.info.activityId}-${attempt}`);
  const checkpointDir = attemptDir(ctx.info.attempt);
  let last: TrainHeartbeat | undefined = previous;
  // Between epochs the last progress is re-sent, so long epochs never time out.
  const keepAlive = setInterval(() => ctx.heartbeat(last), keepAliveMs(ctx));
  try {
    const { spec } = input;
    // Earlier attempts on this machine died before cleaning up; their checkpoints live on in the store.
    for (let a = 1; a < ctx.info.attempt; a++) await rm(attemptDir(a), { recursive: true, force: true });
    const split = await loadSplit({ dataset: await deps.store.localPath(input.dataset), spec });
    const resumeFrom = await resumeFile(deps, previous);
    if (resumeFrom) ctx.log.info('resuming training from checkpoint', { epoch: previous?.epoch });
    const result = await trainInThread(
      { spec, split, checkpointDir, resumeFrom },
      {
        signal: ctx.cancellationSignal,
        onEpoch: async (progress) => {
          const checkpoint = await deps.store.putFile(progress.checkpointFile, '.ckpt.json');
          last = { epoch: progress.epoch, loss: progress.loss, valLoss: progress.valLoss, checkpoint };
          ctx.heartbeat(last);
          ctx.log.info('epoch finished', { epoch: progress.epoch, loss: progress.loss, valLoss: progress.valLoss });
        },
      },
    );
    // The bundle is model.onnx (preprocessing inside) and its manifest, checked like any import;
    // the weights go along for the faster plain-JS forward pass (see loadModel).
    const onnxFile = path.join(checkpointDir, 'model.onnx');
    await writeFile(onnxFile, exportMlpToOnnx(result.bundle));
    const { backend, history, layers } = result.bundle;
    const weights = await deps.store.putBytes(serializeBundle(result.bundle), '.weights.json');
    const details = { backend, history, hiddenUnits: layers.slice(0, -1).map((l) => l.units), weights };
    const { manifest } = await importOnnxModel({ spec, onnxFile, store: deps.store, kind: 'mlp', classes: result.bundle.classes, details });
    const lineage = await mlpTrainingLineage(spec, result);
    return {
      bundle: manifest,
      kind: 'mlp',
      backend: result.backend,
      epochs: lineage.training.epochs,
      loss: lineage.training.loss,
      valLoss: lineage.training.valLoss,
      resumedFromEpoch: result.resumedFromEpoch,
      stoppedEarly: result.stoppedEarly,
      lineage,
    };
  } finally {
    clearInterval(keepAlive);
    await rm(checkpointDir, { recursive: true, force: true });
  }
}

/** The local file of the last heartbeat's checkpoint; none (start over) when it is gone or damaged. */
async function resumeFile(deps: ActivityDeps, previous: TrainHeartbeat | undefined): Promise<{ file: string } | undefined> {
  if (!previous?.checkpoint) return undefined;
  try {
    return { file: await deps.store.localPath(previous.checkpoint) };
  } catch (err) {
    Context.current().log.warn('the checkpoint to resume from is unreadable; training from the start', { error: errorMessage(err) });
    return undefined;
  }
}
