/**
 * A separate process writing to the registry, for the two-writers tests: waits for "go" on
 * stdin, then registers COUNT versions of NAME (three at a time) and points `production` at
 * each, and prints the version numbers it got as JSON. LOCATION is what MLOPS_REGISTRY takes:
 * a folder or a postgres:// URL.
 *
 *   node --import tsx register-worker.ts LOCATION NAME PREFIX COUNT
 */
import { once } from 'node:events';
import { loadConfig } from '../../../src/config.js';
import { openRegistry } from '../../../src/registry/open.js';

const [location, name, prefix, count] = process.argv.slice(2) as [string, string, string, string];
const registry = openRegistry(loadConfig({ MLOPS_REGISTRY: location }));
const dataset = { uri: 'file:///dev/null', sha256: '0'.repeat(64), bytes: 0 };
// Connect (and create the schema) before the race starts, so both writers start even.
await registry.listModels();

process.stdout.write('ready\n');
await once(process.stdin, 'data');

const got: number[] = [];
const keys = Array.from({ length: Number(count) }, (_, i) => `${prefix}-${i}`);
async function lane(): Promise<void> {
  for (let key = keys.shift(); key !== undefined; key = keys.shift()) {
    const v = await registry.registerVersion(name, { bundle: dataset, metrics: { rmse: 1 }, lineage: { dataset, specHash: prefix }, idempotencyKey: key });
    await registry.setAlias(name, 'production', v.version, prefix);
    got.push(v.version);
  }
}
await Promise.all([lane(), lane(), lane()]);
await registry.close();
process.stdout.write(`${JSON.stringify(got)}\n`);
process.exit(0);
