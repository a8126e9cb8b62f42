/** Validates the workflow's input once, fills defaults and fixes where training runs. */
import { createHash } from 'node:crypto';
import { parseSpec } from '../src/spec/parse.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface PreparedSpec {
  readonly spec: PipelineSpec;
  /** SHA-256 of the validated spec, recorded in the model's lineage. */
  readonly specHash: string;
  readonly trainingTaskQueue: string;
  /** Whether the workflow may upsert the product's search attributes. */
  readonly searchAttributes: boolean;
}

export function prepareSpecActivity(deps: ActivityDeps) {
  return async function prepareSpec(input: unknown): Promise<PreparedSpec> {
    return asFailure(async () => {
      const spec = parseSpec(input, 'workflow input');
      const specHash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
      return { spec, specHash, trainingTaskQueue: deps.trainingTaskQueue, searchAttributes: deps.searchAttributes };
    });
  };
}
