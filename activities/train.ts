/**
 * Train: fits the MLP in a worker thread so this activity's event loop stays free for
 * heartbeats and cancellation. Each epoch's checkpoint goes to the artifact store and into
 * the heartbeat; a retried attempt resumes from the last one in `heartbeatDetails`.
 */
import { Context } from '@temporalio/activity';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadSplit } from '../src/data/split.js';
import type { DatasetRef } from '../src/data/types.js';
import { errorMessage } from '../src/errors.js';
import { serializeBundle } from '../src/model/bundle.js';
import { trainingLineage, type TrainingLineage } from '../src/model/lineage.js';
import { trainInThread } from '../src/model/trainer.js';
import type { TrainProgress } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure, workflowOf } from './failure.js';
import { keepAliveMs } from './keep-alive.js';

/** Heartbeat details: progress plus the checkpoint to resume from. */
export interface TrainHeartbeat extends TrainProgress {
  readonly checkpoint: ArtifactRef;
}

export interface TrainInput {
  readonly spec: PipelineSpec;
  readonly dataset: DatasetRef;
}

export interface TrainResult {
  readonly bundle: ArtifactRef;
  /** The TensorFlow.js backend that trained it. */
  readonly backend: string;
  /** Epochs in the model's history (all attempts together). */
  readonly epochs: number;
  /** Losses of the epoch whose weights the bundle holds (the best one with `earlyStopping.restoreBest`). */
  readonly loss: number;
  readonly valLoss?: number;
  /** 0 for a fresh run; the epoch a retried attempt picked up from otherwise. */
  readonly resumedFromEpoch: number;
  /** Early stopping ended training before `model.epochs`. */
  readonly stoppedEarly: boolean;
  /** Everything deploy records about this training run; copy it into the version's lineage as it is. */
  readonly lineage: TrainingLineage;
}

export function trainActivity(deps: ActivityDeps) {
  return async function train(input: TrainInput): Promise<TrainResult> {
    const ctx = Context.current();
    const previous = ctx.info.heartbeatDetails as TrainHeartbeat | undefined;
    const attemptDir = (attempt: number) => path.join(deps.workDir, 'checkpoints', `${workflowOf(ctx).runId}-${ctx.info.activityId}-${attempt}`);
    const checkpointDir = attemptDir(ctx.info.attempt);
    let last: TrainHeartbeat | undefined = previous;
    // Between epochs the last progress is re-sent, so long epochs never time out.
    const keepAlive = setInterval(() => ctx.heartbeat(last), keepAliveMs(ctx));
    try {
      return await asFailure(async () => {
        // prepareSpec validated the spec at the workflow's boundary; it arrives parsed, defaults filled.
        const { spec } = input;
        // Earlier attempts on this machine died before cleaning up; their checkpoints live on in the store.
        for (let a = 1; a < ctx.info.attempt; a++) await rm(attemptDir(a), { recursive: true, force: true });
        const split = await loadSplit({ dataset: await deps.store.localPath(input.dataset), spec });
        const resumeFrom = await resumeFile(previous);
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
        const bundle = await deps.store.putBytes(serializeBundle(result.bundle), '.model.json');
        const lineage = await trainingLineage(spec, result);
        return {
          bundle,
          backend: result.backend,
          epochs: lineage.training.epochs,
          loss: lineage.training.loss,
          valLoss: lineage.training.valLoss,
          resumedFromEpoch: result.resumedFromEpoch,
          stoppedEarly: result.stoppedEarly,
          lineage,
        };
      });
    } finally {
      clearInterval(keepAlive);
      await rm(checkpointDir, { recursive: true, force: true });
    }
  };

  /** The local file of the last heartbeat's checkpoint; none (start over) when it is gone or damaged. */
  async function resumeFile(previous: TrainHeartbeat | undefined): Promise<{ file: string } | undefined> {
    if (!previous?.checkpoint) return undefined;
    try {
      return { file: await deps.store.localPath(previous.checkpoint) };
    } catch (err) {
      Context.current().log.warn('the checkpoint to resume from is unreadable; training from the start', { error: errorMessage(err) });
      return undefined;
    }
  }
}
