// A client script: train, wait for the approval gate, approve, read the deployed version.
import { Client, Connection } from '@temporalio/client';
import { approve, startTrainingPipeline, waitForStage } from 'temporal-mlops';

const taskQueue = process.env.MLOPS_TASK_QUEUE || 'mlops';
const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS || 'localhost:7233' });
const client = new Client({ connection });

// Relative paths resolve against the worker's folder.
const spec = {
  name: 'trip-duration',
  task: 'regression',
  data: {
    source: 'data/*.parquet',
    target: 'duration_min',
    features: [
      { name: 'trip_distance', type: 'numeric' },
      { name: 'hour', type: 'numeric' },
    ],
  },
  model: { hiddenUnits: [8], epochs: 2 },
  approval: { mode: 'manual' },
};

const handle = await startTrainingPipeline(client, spec, { taskQueue });
const status = await waitForStage(handle, ['awaiting-approval']);
if (status.stage !== 'awaiting-approval') throw new Error(`the pipeline is ${status.stage}: ${status.error ?? ''}`);
console.log(`${handle.workflowId} is ${status.stage}; metrics: ${JSON.stringify(status.metrics)}`);

await approve(handle, 'ana', 'metrics look good');
const result = await handle.result();
console.log(`deployed ${result.model} version ${result.version}`);

// Your own workflow runs on the same Worker.
const greeting = await client.workflow.execute('greeting', { args: ['ana'], taskQueue, workflowId: `greeting-${Date.now()}` });
console.log(greeting);
await connection.close();
