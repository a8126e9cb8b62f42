/** Metric direction and ranking; defined beside the workflows, which use it too. */
export * from '../shared/objective.js';
