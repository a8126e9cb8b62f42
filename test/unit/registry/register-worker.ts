/**
 * A separate process writing to the registry, for the two-writers test: waits for "go" on
 * stdin, then registers COUNT versions of NAME (three at a time) and points `production` at
 * each, and prints the version numbers it got as JSON.
 *
 *   node --import tsx register-worker.ts ROOT NAME PREFIX COUNT
 */
import { once } from 'node:events';
import { FileModelRegistry } from '../../../src/registry/file-registry.js';

const [root, name, prefix, count] = process.argv.slice(2) as [string, string, string, string];
const registry = new FileModelRegistry(root);
const dataset = { uri: 'file:///dev/null', sha256: '0'.repeat(64), bytes: 0 };

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
process.stdout.write(`${JSON.stringify(got)}\n`);
process.exit(0);
