/**
 * What a trained model records about its making, beyond the data and spec hashes the pipeline
 * adds: the trainer, the code version, the hyperparameters and (for the MLP) the backend and a summary of the run. The train
 * activity returns it; deploy copies it into the registry version's lineage verbatim.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../package-info.js';
import type { PipelineSpec, PipelineSpecOf } from '../spec/schema.js';
import { hyperparametersOf, type Hyperparameters, type ModelType } from './model-spec.js';
import type { TrainResult } from './trainer.js';

/** The code that trained a model. */
export interface CodeVersion {
  /** package.json `name@version`. */
  readonly package: string;
  /** The git commit of the checkout, from MLOPS_GIT_COMMIT / GIT_COMMIT or the `.git` folder; absent when unknown. */
  readonly commit?: string;
}

/** A training run in numbers: small, for the registry and the Web UI. */
export interface TrainingSummary {
  /** Epochs in the history (all attempts together). */
  readonly epochs: number;
  readonly epochsRequested: number;
  /** 1-based epoch whose weights were kept (the best one with `earlyStopping.restoreBest`). */
  readonly weightsEpoch: number;
  readonly stoppedEarly: boolean;
  /** 0, or the checkpointed epoch a retried attempt resumed from. */
  readonly resumedFromEpoch: number;
  readonly rows: { readonly fit: number; readonly validation: number };
  /** Losses of the kept epoch. */
  readonly loss: number;
  readonly valLoss?: number;
  readonly bestValLoss?: number;
  /** ISO time training finished. */
  readonly trainedAt: string;
}

/**
 * The `lineage` of a train result; spread into the registry version's lineage as it is. A type
 * alias, not an interface, so it is assignable to deploy's `lineage: Record<string, unknown>`.
 */
export type TrainingLineage = {
  /** The trainer (`model.type`); absent in lineage recorded before model.type existed (the MLP). */
  readonly trainer?: ModelType;
  readonly codeVersion: CodeVersion;
  readonly hyperparameters: Hyperparameters;
  /** The TensorFlow.js backend that trained the model (the built-in MLP). */
  readonly backend?: string;
  /** `model.backend` as the spec asked (`auto` lets MLOPS_TF_BACKEND or the fastest decide). */
  readonly requestedBackend?: string;
  /** The run in numbers (trainers that report epochs). */
  readonly training?: TrainingSummary;
  /** Where an imported model came from (`model.type: onnx`). */
  readonly source?: { readonly uri: string; readonly sha256: string };
};

/** The built-in MLP's lineage: every field is known. */
export type MlpTrainingLineage = TrainingLineage & {
  readonly backend: string;
  readonly requestedBackend: string;
  readonly training: TrainingSummary;
};

/** Builds the lineage of a finished MLP training run. */
export async function mlpTrainingLineage(spec: PipelineSpecOf<'mlp'>, result: TrainResult): Promise<MlpTrainingLineage> {
  const history = result.bundle.history;
  const kept = history[result.weightsEpoch - 1] ?? history.at(-1);
  const valLosses = history.map((h) => h.valLoss).filter((v): v is number => v !== undefined);
  return {
    trainer: 'mlp',
    backend: result.backend,
    requestedBackend: spec.model.backend,
    codeVersion: await codeVersion(),
    // What training used, also where the spec left batch size, epochs and early stopping to adapt to the data.
    hyperparameters: hyperparametersOf(result.model),
    training: {
      epochs: history.length,
      epochsRequested: result.model.epochs,
      weightsEpoch: result.weightsEpoch,
      stoppedEarly: result.stoppedEarly,
      resumedFromEpoch: result.resumedFromEpoch,
      rows: result.rows,
      loss: kept?.loss ?? Number.NaN,
      ...(kept?.valLoss === undefined ? {} : { valLoss: kept.valLoss }),
      ...(valLosses.length > 0 ? { bestValLoss: Math.min(...valLosses) } : {}),
      trainedAt: result.bundle.trainedAt,
    },
  };
}

/** The lineage every trainer records: which trainer, the code version and the spec's hyperparameters. */
export async function baseLineage(spec: PipelineSpec): Promise<TrainingLineage> {
  return { trainer: spec.model.type, codeVersion: await codeVersion(), hyperparameters: hyperparametersOf(spec.model) };
}

let cached: Promise<CodeVersion> | undefined;

/** This package's version and git commit; read once per process. */
export function codeVersion(): Promise<CodeVersion> {
  cached ??= readCodeVersion(packageRoot);
  return cached;
}

async function readCodeVersion(root: string): Promise<CodeVersion> {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
  const commit = process.env.MLOPS_GIT_COMMIT || process.env.GIT_COMMIT || (await gitCommit(root));
  return { package: `${pkg.name ?? 'unknown'}@${pkg.version ?? '0.0.0'}`, ...(commit ? { commit } : {}) };
}

/** HEAD's commit from the `.git` folder, without running git (containers often lack it). */
export async function gitCommit(root: string): Promise<string | undefined> {
  const read = (file: string) => readFile(file, 'utf8').then((t) => t.trim(), () => undefined);
  let gitDir = path.join(root, '.git');
  const pointer = await read(gitDir); // a worktree or submodule: `.git` is a file naming the real folder
  if (pointer?.startsWith('gitdir:')) gitDir = path.resolve(root, pointer.slice('gitdir:'.length).trim());
  const head = await read(path.join(gitDir, 'HEAD'));
  if (!head) return undefined;
  if (!head.startsWith('ref:')) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
  const ref = head.slice('ref:'.length).trim();
  const commonDir = (await read(path.join(gitDir, 'commondir'))) ?? '.';
  for (const dir of [gitDir, path.resolve(gitDir, commonDir)]) {
    const loose = await read(path.join(dir, ref));
    if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
    const packed = await read(path.join(dir, 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line) return line.slice(0, 40);
  }
  return undefined;
}
