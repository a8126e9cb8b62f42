/** The plugin's workflows, bundled into the Temporal sandbox. */
export { trainingPipeline } from './training-pipeline.js';
export { continuousTraining } from './continuous-training.js';
export { hyperparameterSweep } from './hyperparameter-sweep.js';
export { deliverNotification } from './deliver-notification.js';
