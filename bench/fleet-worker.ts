/** `mlops worker` as the fleet benchmark runs it: a child process it can measure and stop (configured by the environment). */
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createMlopsWorker } from '../src/temporal/worker.js';

const config = loadConfig(process.env);
const { worker, connection } = await createMlopsWorker({ config, logger: createLogger('fleet-worker', 'warn'), baseDir: config.home });
process.stdout.write('ready\n');
await worker.run();
await connection.close();
