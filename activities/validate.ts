/** Validate: the snapshot has the target and every feature, with fitting types, and rows. */
import { validateDataset, type ValidationSummary } from '../src/data/validate.js';
import type { DatasetRef } from '../src/data/types.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export function validateActivity(deps: ActivityDeps) {
  return async function validate(input: { spec: PipelineSpec; dataset: DatasetRef }): Promise<ValidationSummary> {
    return asFailure(async () => {
      const file = await deps.store.localPath(input.dataset);
      return validateDataset({ dataset: file, spec: input.spec });
    });
  };
}
