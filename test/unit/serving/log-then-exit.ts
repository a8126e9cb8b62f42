/**
 * Run as a child process by inference-log.test.ts: logs rows, closes the log and lets the
 * process end on its own. Nothing else keeps it alive while the rows are written.
 */
import { InferenceLog } from '../../../src/serving/inference-log.js';
import { features, instance } from './helpers.js';

const [dir, count] = process.argv.slice(2) as [string, string];
const log = new InferenceLog({ dir });
for (let i = 0; i < Number(count); i++) log.logPredictions({ model: 'm', version: 1, alias: null, requestId: `r${i}`, features, instances: [instance], predictions: [i] });
void log.close();
