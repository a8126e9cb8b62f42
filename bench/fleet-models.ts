/** A fleet of registered models without training each one: copies of one trained production version. */
import type { MlopsConfig } from '../src/config.js';
import { FileModelRegistry } from '../src/registry/file-registry.js';
import type { ModelVersion } from '../src/registry/model-registry.js';

/** The production version of a model the benchmark trained; throws when there is none. */
export async function productionVersion(config: MlopsConfig, name: string): Promise<ModelVersion> {
  const model = await new FileModelRegistry(config.registryDir).getModel(name);
  const version = model?.versions.find((v) => v.version === model.aliases.production);
  if (!version) throw new Error(`model ${name} has no production version`);
  return version;
}

/** Registers `${prefix}-0` … `${prefix}-${count - 1}`, each with `seed` (bundle, metrics, lineage) as its production version. */
export async function registerFleet(config: MlopsConfig, seed: ModelVersion, prefix: string, count: number): Promise<string[]> {
  const registry = new FileModelRegistry(config.registryDir);
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(
      names.slice(i, i + 50).map(async (name) => {
        const v = await registry.registerVersion(name, { bundle: seed.bundle, metrics: seed.metrics, lineage: seed.lineage, idempotencyKey: `fleet-${name}` });
        await registry.setAlias(name, 'production', v.version, 'bench');
      }),
    );
  }
  return names;
}
