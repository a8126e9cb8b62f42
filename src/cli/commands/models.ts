/**
 * `mlops models [NAME] [--json]`: the registry. Without a name, one block per model (aliases,
 * versions with metrics, approval, tags, data hash and run); with a name, also each version's
 * lineage and artifacts and the full alias history (who deployed, promoted or rolled back
 * what, when, why). `--json` prints the registry documents themselves.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openRegistry } from '../../registry/open.js';
import type { AliasEvent, ModelVersion, RegisteredModel } from '../../registry/model-registry.js';
import { printJson, printLine } from '../output.js';
import { fourDigits } from '../../shared/numbers.js';

export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('the model registry: versions, aliases, metrics, tags, lineage, history')
    .argument('[name]', 'one model, with lineage and history')
    .option('--json', 'print JSON only')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const registry = openRegistry(loadConfig());
      const names = name ? [name] : await registry.listModels();
      const models: RegisteredModel[] = [];
      for (const n of names) models.push(await registry.requireModel(n));
      if (opts.json) return printJson(name ? models[0] : models);
      if (models.length === 0) return printLine('no models yet: run a pipeline with "mlops run SPEC"');
      for (const model of models) printModel(model, name !== undefined);
    });
}

function printModel(model: RegisteredModel, detailed: boolean): void {
  const aliases = Object.entries(model.aliases).map(([a, v]) => `${a}→v${v}`).join(' ');
  printLine(`${model.name}  ${aliases || '(no aliases)'}`);
  for (const v of model.versions) {
    printLine(`  ${versionLine(v, model.aliases)}`);
    if (detailed) printDetails(v);
  }
  if (detailed && model.history.length > 0) {
    printLine('  history:');
    for (const e of model.history) printLine(`    ${historyLine(e)}`);
  }
}

function versionLine(v: ModelVersion, aliases: Record<string, number>): string {
  const metrics = Object.entries(v.metrics).map(([k, x]) => `${k}=${fourDigits(x)}`).join(' ');
  const labels = Object.entries(aliases).filter(([, n]) => n === v.version).map(([a]) => a);
  const who = v.approval ? `${v.approval.decision} by ${v.approval.reviewer}` : 'not approved';
  const tags = Object.entries(v.tags ?? {}).map(([k, x]) => `${k}=${x}`);
  return [
    `v${v.version}`,
    v.createdAt,
    metrics,
    who,
    `data ${v.lineage.dataset.sha256.slice(0, 12)}`,
    v.lineage.workflowId ? `run ${v.lineage.workflowId}` : '',
    labels.length > 0 ? `[${labels.join(', ')}]` : '',
    tags.length > 0 ? `tags ${tags.join(' ')}` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

function printDetails(v: ModelVersion): void {
  if (v.approval?.comment) printLine(`      approval: "${v.approval.comment}" at ${v.approval.at}`);
  const { dataset, ...rest } = v.lineage;
  printLine(`      dataset: ${dataset.uri} (${dataset.sha256.slice(0, 12)}, ${dataset.bytes} bytes)`);
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) printLine(`      ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  printLine(`      bundle: ${v.bundle.uri}`);
  for (const kind of ['schema', 'statistics', 'report'] as const) {
    const ref = v[kind];
    if (ref) printLine(`      ${kind}: ${ref.uri}`);
  }
}

function historyLine(e: AliasEvent): string {
  const from = e.from === null ? '(none)' : `v${e.from}`;
  const to = e.to === null ? '(removed)' : `v${e.to}`;
  return `${e.at}  ${e.alias} ${from} → ${to}  ${e.action ?? 'promote'} by ${e.actor}${e.reason ? `: ${e.reason}` : ''}`;
}
