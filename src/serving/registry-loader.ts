/** Loads a servable predictor from a bundle reference in the artifact store. */
import { parseBundle } from '../model/bundle.js';
import { createPredictor } from '../model/predictor.js';
import type { Predictor } from '../model/types.js';
import type { ArtifactRef, ArtifactStore } from '../registry/artifact-store.js';

export function bundleLoader(store: ArtifactStore): (ref: ArtifactRef) => Promise<Predictor> {
  return async (ref) => createPredictor(parseBundle(await store.readBytes(ref)));
}
