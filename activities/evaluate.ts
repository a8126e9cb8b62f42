/**
 * Evaluate: scores the candidate on the held-out split, scores the production champion on the
 * same rows when the spec asks for it, and returns the blessing with its reasons.
 */
import { loadSplit } from '../src/data/split.js';
import type { DatasetRef } from '../src/data/types.js';
import { decideBlessing, type Blessing, type ChampionResult } from '../src/evaluation/blessing.js';
import { parseBundle } from '../src/model/bundle.js';
import { evaluatePredictor } from '../src/model/metrics.js';
import { createPredictor } from '../src/model/predictor.js';
import type { Metrics } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface EvaluationResult extends Blessing {
  readonly metrics: Metrics;
  readonly champion?: ChampionResult;
}

export function evaluateActivity(deps: ActivityDeps) {
  async function score(ref: ArtifactRef, spec: PipelineSpec, test: Parameters<typeof evaluatePredictor>[1]): Promise<Metrics> {
    const predictor = createPredictor(parseBundle(await deps.store.readBytes(ref)));
    return evaluatePredictor(predictor, test, spec);
  }

  return async function evaluate(input: { spec: PipelineSpec; dataset: DatasetRef; bundle: ArtifactRef }): Promise<EvaluationResult> {
    return asFailure(async () => {
      const { spec } = input;
      const { test } = await loadSplit({ dataset: await deps.store.localPath(input.dataset), spec });
      const metrics = await score(input.bundle, spec, test);
      let champion: ChampionResult | undefined;
      if (spec.evaluation.mustBeatChampion) {
        const production = await deps.registry.resolve(spec.name, { alias: 'production' });
        if (production) champion = { version: production.version, metrics: await score(production.bundle, spec, test) };
      }
      return { metrics, champion, ...decideBlessing({ metrics, evaluation: spec.evaluation, task: spec.task, champion }) };
    });
  };
}
