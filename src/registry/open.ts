/**
 * The artifact store and registry a process uses, chosen by configuration (`MLOPS_ARTIFACTS`,
 * `MLOPS_REGISTRY`): local folders by default, S3 and PostgreSQL for hosts that share no disk.
 */
import type { MlopsConfig } from '../config.js';
import { FileArtifactStore, type ArtifactStore } from './artifact-store.js';
import { FileModelRegistry } from './file-registry.js';
import type { ModelRegistry } from './model-registry.js';
import { S3ArtifactStore } from './s3-artifact-store.js';
import { PostgresModelRegistry } from './postgres-registry.js';

/** The configured artifact store. */
export function openArtifactStore(config: MlopsConfig): ArtifactStore {
  const location = config.artifacts;
  if (location.kind === 'file') return new FileArtifactStore(location.dir);
  const { bucket, prefix, endpoint, region, credentials } = location;
  return new S3ArtifactStore({ bucket, prefix, endpoint, region, credentials, cacheDir: config.cacheDir });
}

/** The configured model registry; call `close()` when done (it may hold a connection pool). */
export function openRegistry(config: MlopsConfig): ModelRegistry {
  const location = config.registry;
  if (location.kind === 'file') return new FileModelRegistry(location.dir);
  return new PostgresModelRegistry(location.url);
}
