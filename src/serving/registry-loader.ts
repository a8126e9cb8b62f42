/** Loads a servable predictor from a bundle reference in the artifact store (see loadModel). */
import { loadModel } from '../model/load-model.js';
import type { Predictor } from '../model/types.js';
import type { ArtifactRef, ArtifactStore } from '../registry/artifact-store.js';

export function bundleLoader(store: ArtifactStore): (ref: ArtifactRef) => Promise<Predictor> {
  return (ref) => loadModel(store, ref);
}
