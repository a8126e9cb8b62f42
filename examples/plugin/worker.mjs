// Your Worker: your workflows and activities, plus everything MlopsPlugin adds.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { MlopsPlugin } from 'temporal-mlops';

const taskQueue = process.env.MLOPS_TASK_QUEUE || 'mlops';
const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS || 'localhost:7233' });

const started = performance.now();
const worker = await Worker.create({
  connection,
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./workflows.mjs', import.meta.url)),
  activities: { greet: async (name) => `hello, ${name}` },
  plugins: [new MlopsPlugin()], // configured from the environment: MLOPS_HOME, MLOPS_REGISTRY, …
});
console.log(`Worker ready in ${Math.round(performance.now() - started)} ms, polling "${taskQueue}"`);
await worker.run(); // until Ctrl-C (SIGINT) or SIGTERM; then the plugin closes what it opened
await connection.close();
