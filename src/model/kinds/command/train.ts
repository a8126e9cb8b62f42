/**
 * `model.type: command`: the user's own training program. A placeholder until the command
 * trainer lands (see design.md "Any model, any trainer" for its contract).
 */
import type { ActivityDeps } from '../../../../activities/deps.js';
import { MlopsError } from '../../../errors.js';
import type { TrainInput, TrainResult } from '../../train-result.js';

/** Runs `model.command` and imports the `model.onnx` it writes. Not available yet: always throws. */
export function trainWithCommand(_deps: ActivityDeps, _input: TrainInput): Promise<TrainResult> {
  return Promise.reject(new MlopsError('TrainingFailed', 'model.type command is not available yet'));
}
