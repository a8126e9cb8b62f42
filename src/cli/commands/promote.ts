/**
 * `mlops promote NAME VERSION [--alias A]`, `mlops rollback NAME` and `mlops tag NAME VERSION
 * KEY=VALUE…`: move aliases and label versions by hand. Promote and rollback first load the
 * target version the way the model server does and answer a smoke query (`--no-check` skips
 * it); a version that fails is not promoted. Every move lands in the registry's history.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { openArtifactStore, openRegistry } from '../../registry/open.js';
import { previousVersion, type AliasEvent, type RegisteredModel } from '../../registry/model-registry.js';
import { checkReadiness } from '../../serving/readiness.js';
import { bundleLoader } from '../../serving/registry-loader.js';
import { printJson, printLine } from '../output.js';

interface MoveOptions {
  alias: string;
  actor?: string;
  reason?: string;
  check: boolean;
  json?: boolean;
}

function defaultActor(): string {
  try {
    return process.env.USER || os.userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

function parseVersion(text: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new MlopsError('UsageError', `"${text}" is not a version number: use a positive integer (see "mlops models")`);
  return Number(text);
}

function registries() {
  const config = loadConfig();
  return { registry: openRegistry(config), load: bundleLoader(openArtifactStore(config)) };
}

/** Loads the version and answers a smoke query (the check --no-check skips). */
async function ensureReady(model: RegisteredModel, version: number, load: ReturnType<typeof bundleLoader>): Promise<void> {
  const entry = model.versions.find((v) => v.version === version);
  if (!entry) throw new MlopsError('ModelNotFound', `model "${model.name}" has no version ${version} (versions: ${model.versions.map((v) => v.version).join(', ')})`);
  await checkReadiness(load, entry.bundle);
}

function report(name: string, event: AliasEvent | undefined, version: number, opts: MoveOptions): void {
  if (opts.json) return printJson(event ?? { alias: opts.alias, to: version, unchanged: true });
  if (!event) return printLine(`${name}: ${opts.alias} already points at v${version}`);
  const from = event.from === null ? '(none)' : `v${event.from}`;
  printLine(`${name}: ${event.alias} ${from} → v${event.to}${event.action === 'rollback' ? ' (rolled back)' : ''}; the model server follows within its poll interval`);
}

function moveOptions(command: Command): Command {
  return command
    .option('--actor <name>', 'who is moving it (recorded in the history); default $USER')
    .option('--reason <text>', 'why (recorded in the history)')
    .option('--no-check', 'skip loading the version and answering a smoke query first')
    .option('--json', 'print the history entry as JSON');
}

export function registerPromoteCommands(program: Command): void {
  moveOptions(
    program
      .command('promote')
      .description('point an alias (default production) at a version, after checking it loads and answers')
      .argument('<name>', 'model name')
      .argument('<version>', 'version number')
      .option('--alias <alias>', 'alias to move', 'production'),
  ).action(async (name: string, versionText: string, opts: MoveOptions) => {
    const version = parseVersion(versionText);
    const { registry, load } = registries();
    if (opts.check) await ensureReady(await registry.requireModel(name), version, load);
    const event = await registry.setAlias(name, opts.alias, version, { actor: opts.actor ?? defaultActor(), reason: opts.reason });
    report(name, event, version, opts);
  });

  moveOptions(
    program
      .command('rollback')
      .description('point an alias (default production) back at the version it pointed to before')
      .argument('<name>', 'model name')
      .option('--alias <alias>', 'alias to roll back', 'production'),
  ).action(async (name: string, opts: MoveOptions) => {
    const { registry, load } = registries();
    const model = await registry.requireModel(name);
    const target = previousVersion(model, opts.alias);
    if (opts.check && target !== undefined) await ensureReady(model, target, load);
    const event = await registry.rollback(name, { actor: opts.actor ?? defaultActor(), reason: opts.reason, alias: opts.alias });
    report(name, event, event.to ?? 0, opts);
  });

  program
    .command('tag')
    .description('set (KEY=VALUE) or delete (--delete KEY) tags on a model version')
    .argument('<name>', 'model name')
    .argument('<version>', 'version number')
    .argument('[tags...]', 'KEY=VALUE pairs')
    .option('--delete <key...>', 'tags to remove')
    .option('--json', 'print the version\'s tags as JSON')
    .action(async (name: string, versionText: string, pairs: string[], opts: { delete?: string[]; json?: boolean }) => {
      // No prototype: a `__proto__=x` pair must reach the registry's check, not vanish.
      const changes: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
      for (const pair of pairs) {
        const at = pair.indexOf('=');
        if (at < 1) throw new MlopsError('UsageError', `"${pair}" is not KEY=VALUE`);
        changes[pair.slice(0, at)] = pair.slice(at + 1);
      }
      for (const key of opts.delete ?? []) changes[key] = null;
      if (Object.keys(changes).length === 0) throw new MlopsError('UsageError', 'give KEY=VALUE pairs to set or --delete KEY to remove');
      const tags = await registries().registry.setTags(name, parseVersion(versionText), changes);
      if (opts.json) return printJson(tags);
      printLine(`${name} v${versionText}: ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(' ') || '(no tags)'}`);
    });
}
