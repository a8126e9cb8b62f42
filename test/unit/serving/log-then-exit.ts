/**
 * Run as a child process by inference-log.test.ts: logs `count` rows, then either closes the
 * log and lets the process end on its own (`close`: nothing else keeps it alive while the rows
 * are written), or, once the rows are on disk, starts a row it never finishes and dies by
 * SIGKILL (`crash`: what a server killed mid-write leaves behind).
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceLog } from '../../../src/serving/inference-log.js';
import { features, instance } from './helpers.js';

const [dir, count, mode] = process.argv.slice(2) as [string, string, 'close' | 'crash'];
const log = new InferenceLog({ dir });
for (let i = 0; i < Number(count); i++) log.logPredictions({ model: 'm', version: 1, alias: null, requestId: `r${i}`, features, instances: [instance], predictions: [i] });
if (mode === 'close') void log.close();
else {
  const folder = path.join(dir, 'm');
  const timer = setInterval(() => {
    const [name] = existsSync(folder) ? readdirSync(folder) : [];
    const file = name && path.join(folder, name);
    if (!file || readFileSync(file, 'utf8').split('\n').length <= Number(count)) return;
    clearInterval(timer);
    appendFileSync(file, '{"time":"2024-');
    process.kill(process.pid, 'SIGKILL');
  }, 10);
}
