/** A fleet of registered models without training each one (copies of one trained production version), and monitors over them. */
import type { WorkflowHandle } from '@temporalio/client';
import type { MlopsConfig } from '../src/config.js';
import { FileArtifactStore } from '../src/registry/artifact-store.js';
import { FileModelRegistry } from '../src/registry/file-registry.js';
import type { ModelVersion } from '../src/registry/model-registry.js';
import { monitorStatusQuery, type MonitorStatus } from '../workflows/monitor-messages.js';

/** The production version of a model the benchmark trained; throws when there is none. */
export async function productionVersion(config: MlopsConfig, name: string): Promise<ModelVersion> {
  const model = await new FileModelRegistry(config.registryDir).getModel(name);
  const version = model?.versions.find((v) => v.version === model.aliases.production);
  if (!version) throw new Error(`model ${name} has no production version`);
  return version;
}

/**
 * The same trained model served by onnxruntime: its manifest without the MLP's weights, as a
 * model trained elsewhere (`type: onnx`, `command`) is stored, so each loaded model is a session.
 */
export async function asOnnxOnly(config: MlopsConfig, version: ModelVersion): Promise<ModelVersion> {
  const store = new FileArtifactStore(config.artifactsDir);
  const manifest = JSON.parse((await store.readBytes(version.bundle)).toString('utf8')) as { details?: Record<string, unknown> };
  const { weights: _weights, ...details } = manifest.details ?? {};
  return { ...version, bundle: await store.putBytes(JSON.stringify({ ...manifest, details }), '.model.json') };
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

/**
 * A monitor has settled into its timer once its first check is done, recorded, and the next one
 * is scheduled. `checks` counts a check as it starts, so it alone is not enough: 1,000 monitors
 * "settled" that way were still checking, and their steps were measured as idle CPU.
 */
export function settled(status: MonitorStatus): boolean {
  const last = status.decisions.at(-1);
  return status.stage === 'monitoring' && last !== undefined && status.nextCheckAt !== null && Date.parse(status.nextCheckAt) > Date.parse(last.at);
}

/** Waits until every monitor of `handles` has {@link settled} (a minute each at most). */
export async function settleMonitors(handles: readonly WorkflowHandle[]): Promise<void> {
  for (const h of handles) {
    for (let tries = 0; ; tries++) {
      const status = await h.query(monitorStatusQuery).catch(() => undefined);
      if (status && settled(status)) break;
      if (tries > 600) throw new Error(`monitor ${h.workflowId} never finished its first check`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
