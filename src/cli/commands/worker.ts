import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { createMlopsWorker } from '../../temporal/worker.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description("a worker with the plugin's workflows and activities")
    .option('--task-queue <queue>', 'task queue (default: $MLOPS_TASK_QUEUE or mlops)')
    .option('--gpu', 'poll the GPU training queue ($MLOPS_GPU_TASK_QUEUE); needs @tensorflow/tfjs-node-gpu')
    .action(async (opts: { taskQueue?: string; gpu?: boolean }) => {
      const logger = createLogger('worker');
      const config = loadConfig();
      const { worker, connection, taskQueue, trainingTaskQueue } = await createMlopsWorker({ config, logger, taskQueue: opts.taskQueue, gpu: opts.gpu });
      logger.info({ taskQueue, trainingTaskQueue, trainingSlots: config.trainingSlots, stepSlots: config.stepSlots }, 'worker polling');
      // Worker.run() handles SIGINT/SIGTERM itself and drains in-flight tasks.
      await worker.run();
      await connection.close();
    });
}
