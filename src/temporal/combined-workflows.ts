/**
 * A worker bundles one workflows module. When a user's Worker already names its own
 * `workflowsPath`, the plugin adds ours beside it through a small generated module that
 * re-exports both, instead of replacing theirs. Workflow names must not collide: a name
 * exported by both modules is dropped by the bundler (ES `export *` rules).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The path of a module exporting the workflows of both `theirs` and `ours` (written once per
 * pair). It lives in our package's `.combined-workflows/` folder, where the bundler resolves
 * `@temporalio/workflow` from the package's own dependencies.
 */
export function combinedWorkflowsPath(theirs: string, ours: string): string {
  const files = [path.resolve(theirs), path.resolve(ours)];
  const source = `${files.map((file) => `export * from ${JSON.stringify(file)};`).join('\n')}\n`;
  const name = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(path.dirname(path.dirname(files[1]!)), '.combined-workflows');
  const file = path.join(dir, `workflows-${name}.ts`);
  mkdirSync(dir, { recursive: true });
  // Written whole and renamed, so a worker starting beside another never bundles half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, source);
  renameSync(tmp, file);
  return file;
}
