/**
 * The monitoring defaults, in one place: src/spec/schema.ts fills a spec's `monitoring` section
 * from them, and continuousTraining shows them as its policy until prepareSpec has read the
 * spec. Plain values, so the workflow sandbox may import them.
 */
export const monitoringDefaults = Object.freeze({
  /** Time between checks. */
  interval: '1h',
  /** The dataset drifted when at least this share of the features drifted. */
  driftThreshold: 0.2,
  /** Distance threshold of wasserstein, jensenshannon and psi: at or above it a feature drifted. */
  driftDistance: 0.1,
  /** p-value threshold of ks and chisquare: below it a feature drifted. */
  driftPValue: 0.05,
  /** Retrain when live performance is worse than the production model's evaluation by this share. */
  decayMargin: 0.2,
  /** After a deployment, roll back when the new version is worse live than the previous one by this share. */
  rollbackMargin: 0.1,
});
