import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { MlopsError } from '../../errors.js';
import { ModelRegistry } from '../../registry/model-registry.js';
import { printJson, printLine } from '../output.js';

export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('the model registry: versions, aliases, metrics, lineage')
    .argument('[name]', 'one model')
    .option('--json', 'print JSON only')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const registry = new ModelRegistry(loadConfig().registryDir);
      const names = name ? [name] : await registry.listModels();
      const models = [];
      for (const n of names) {
        const model = await registry.getModel(n);
        if (!model) throw new MlopsError('ModelNotFound', `no model named "${n}" in the registry; "mlops models" lists them`);
        models.push(model);
      }
      if (opts.json) return printJson(name ? models[0] : models);
      if (models.length === 0) return printLine('no models yet: run a pipeline with "mlops run SPEC"');
      for (const model of models) {
        const aliases = Object.entries(model.aliases).map(([a, v]) => `${a}→v${v}`).join(' ');
        printLine(`${model.name}  ${aliases}`);
        for (const v of model.versions) {
          const metrics = Object.entries(v.metrics).map(([k, x]) => `${k}=${Number(x.toPrecision(4))}`).join(' ');
          const who = v.approval ? `${v.approval.decision} by ${v.approval.reviewer}` : '';
          printLine(`  v${v.version}  ${v.createdAt}  ${metrics}  ${who}  data ${v.lineage.dataset.sha256.slice(0, 12)}  run ${v.lineage.workflowId ?? ''}`);
        }
      }
    });
}
