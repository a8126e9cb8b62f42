/**
 * A worker bundles one workflows module. When a user's Worker already names its own
 * `workflowsPath`, the plugin adds ours beside it through a small generated module that
 * re-exports both, instead of replacing theirs. Workflow names must not collide: a name
 * exported by both modules is dropped by the bundler (ES `export *` rules).
 *
 * The generated module is written under MLOPS_HOME, never into the package's install folder
 * (which may be read-only, shared, or node_modules). The bundler puts its entry point beside
 * it and that entry point imports `@temporalio/workflow`; {@link resolveFromPackage} lets
 * webpack find it (and anything else) in the node_modules folder our own dependencies come from.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** The SDK's `bundlerOptions.webpackConfigHook`. */
export type WebpackConfigHook = NonNullable<NonNullable<WorkerOptions['bundlerOptions']>['webpackConfigHook']>;

/**
 * The path of a module exporting the workflows of both `theirs` and `ours`, written (once per
 * pair, whole, then renamed) into `dir`.
 */
export function combinedWorkflowsPath(theirs: string, ours: string, dir: string): string {
  const files = [path.resolve(theirs), path.resolve(ours)];
  const source = `${files.map((file) => `export * from ${JSON.stringify(file)};`).join('\n')}\n`;
  const name = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(dir, `workflows-${name}.js`);
  mkdirSync(dir, { recursive: true });
  // Written whole and renamed, so a worker starting beside another never bundles half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, source);
  renameSync(tmp, file);
  return file;
}

/** The node_modules folder holding the `@temporalio/workflow` this package depends on. */
const packageNodeModules = (() => {
  const entry = createRequire(import.meta.url).resolve('@temporalio/workflow');
  const parts = entry.split(path.sep);
  return parts.slice(0, parts.lastIndexOf('node_modules') + 1).join(path.sep);
})();

/**
 * Wraps a webpack config hook (the user's, if any) so modules not found the usual way, from the
 * importing file's folder up, are looked up last in our package's node_modules folder.
 */
export function resolveFromPackage(theirs?: WebpackConfigHook): WebpackConfigHook {
  return (config) => {
    const configured = theirs ? theirs(config) : config;
    const modules = configured.resolve?.modules ?? ['node_modules'];
    return { ...configured, resolve: { ...configured.resolve, modules: [...modules, packageNodeModules] } };
  };
}
