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
import { serializeBundle } from '../src/model/bundle.js';
import { trainInThread } from '../src/model/trainer.js';
import type { TrainProgress } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure, workflowOf } from './failure.js';

/** Heartbeat details: progress plus the checkpoint to resume from. */
export interface TrainHeartbeat extends TrainProgress {
  readonly checkpoint: ArtifactRef;
}

export interface TrainResult {
  readonly bundle: ArtifactRef;
  readonly backend: string;
  readonly epochs: number;
  readonly loss: number;
  readonly valLoss?: number;
  /** 0 for a fresh run; the epoch a retried attempt picked up from otherwise. */
  readonly resumedFromEpoch: number;
}

/** Between epochs the last progress is re-sent this often, so long epochs never time out. */
const heartbeatEveryMs = 5_000;

export function trainActivity(deps: ActivityDeps) {
  return async function train(input: { spec: PipelineSpec; dataset: DatasetRef }): Promise<TrainResult> {
    const ctx = Context.current();
    const previous = ctx.info.heartbeatDetails as TrainHeartbeat | undefined;
    const checkpointDir = path.join(deps.workDir, 'checkpoints', `${workflowOf(ctx).runId}-${ctx.info.activityId}-${ctx.info.attempt}`);
    let last: TrainHeartbeat | undefined = previous;
    const keepAlive = setInterval(() => ctx.heartbeat(last), heartbeatEveryMs);
    try {
      return await asFailure(async () => {
        const split = await loadSplit({ dataset: await deps.store.localPath(input.dataset), spec: input.spec });
        const resumeFrom = previous?.checkpoint ? { file: await deps.store.localPath(previous.checkpoint) } : undefined;
        if (resumeFrom) ctx.log.info('resuming training from checkpoint', { epoch: previous?.epoch });
        const result = await trainInThread(
          { spec: input.spec, split, checkpointDir, resumeFrom },
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
        const final = result.bundle.history.at(-1);
        return {
          bundle,
          backend: result.backend,
          epochs: result.epochsRun,
          loss: final?.loss ?? Number.NaN,
          valLoss: final?.valLoss,
          resumedFromEpoch: result.resumedFromEpoch,
        };
      });
    } finally {
      clearInterval(keepAlive);
      await rm(checkpointDir, { recursive: true, force: true });
    }
  };
}
