/** Validates the workflow's input once, fills defaults and fixes where training runs. */
import { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { parseSpec } from '../src/spec/parse.js';
import { missingSearchAttributes } from '../src/temporal/dev-server.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface PreparedSpec {
  readonly spec: PipelineSpec;
  /** SHA-256 of the validated spec, recorded in the model's lineage. */
  readonly specHash: string;
  /** Where training runs: the GPU queue when `model.gpu` or the worker config asks for it, else the main queue. */
  readonly trainingTaskQueue?: string;
  /** Whether the workflow may upsert the product's search attributes. */
  readonly searchAttributes: boolean;
}

export function prepareSpecActivity(deps: ActivityDeps) {
  const searchAttributes = searchAttributesCheck(deps);
  return async function prepareSpec(input: unknown): Promise<PreparedSpec> {
    return asFailure(async () => {
      const spec = parseSpec(input, 'workflow input');
      const specHash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
      return { spec, specHash, trainingTaskQueue: trainingTaskQueueFor(spec, deps), searchAttributes: await searchAttributes() };
    });
  };
}

/**
 * Whether workflows may upsert the product's search attributes. `detect` lists the namespace's
 * attributes through the worker's client (a plain Worker with the plugin on a fresh namespace
 * must not fail its first upsert); a yes is remembered, a no is asked again next time, so
 * registering them later takes effect without a restart.
 */
function searchAttributesCheck(deps: Pick<ActivityDeps, 'searchAttributes' | 'logger'>): () => Promise<boolean> {
  if (deps.searchAttributes !== 'detect') {
    const fixed = deps.searchAttributes;
    return async () => fixed;
  }
  let present = false;
  return async () => {
    if (present) return true;
    const { client, info } = Context.current();
    try {
      present = Object.keys(await missingSearchAttributes(client.connection, info.namespace)).length === 0;
    } catch (err) {
      deps.logger.warn({ err }, 'could not read the namespace search attributes; workflows will not upsert them');
    }
    return present;
  };
}

type GpuAwareDeps = Pick<ActivityDeps, 'trainingTaskQueue' | 'gpuTaskQueue'>;

/**
 * `model.gpu: true` sends training to the GPU queue, polled by `mlops worker --gpu`; otherwise
 * it goes where the worker config says (the GPU queue with MLOPS_USE_GPU_QUEUE=1, else the
 * workflow's own queue).
 */
export function trainingTaskQueueFor(spec: PipelineSpec, deps: GpuAwareDeps): string | undefined {
  return spec.model.type !== 'onnx' && spec.model.gpu ? deps.gpuTaskQueue : deps.trainingTaskQueue;
}
