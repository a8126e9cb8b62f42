/**
 * Train: makes the model `model.type` names, one trainer per kind in src/model/kinds/<kind>/,
 * and returns its bundle (a manifest naming `model.onnx`) with the lineage deploy records.
 * Adding a kind is a folder there plus a line here and in the spec.
 */
import { trainWithCommand } from '../src/model/kinds/command/train.js';
import { trainMlp } from '../src/model/kinds/mlp/train.js';
import { importSpecModel } from '../src/model/kinds/onnx/train.js';
import type { TrainInput, TrainResult } from '../src/model/train-result.js';
import type { PipelineSpecOf } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export type { TrainHeartbeat } from '../src/model/kinds/mlp/train.js';
export type { TrainInput, TrainResult } from '../src/model/train-result.js';

export function trainActivity(deps: ActivityDeps) {
  return async function train(input: TrainInput): Promise<TrainResult> {
    // prepareSpec validated the spec at the workflow's boundary; it arrives parsed, defaults filled.
    // A spec validated before model.type existed has none: it is the MLP's.
    const { spec } = input;
    return asFailure(() => {
      switch (spec.model.type) {
        case 'command':
          return trainWithCommand(deps, input);
        case 'onnx':
          return importSpecModel(deps, { ...input, spec: spec as PipelineSpecOf<'onnx'> });
        default:
          return trainMlp(deps, { ...input, spec: spec as PipelineSpecOf<'mlp'> });
      }
    });
  };
}
