/** The models overview (`/`) and one model's page (`/models/:name`): versions, a metric across them, alias history, lineage, reports. */
import type { FastifyInstance } from 'fastify';
import { metricAcrossVersions } from '../charts.js';
import type { ConsoleContext } from '../context.js';
import { metricsText } from '../format.js';

export function registerModelRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/', async (request, reply) => {
    const [names, pending] = await Promise.all([ctx.registry.listModels(), ctx.registry.listRuns({ outcome: 'awaiting-approval' })]);
    const models = await Promise.all(
      names.map(async (name) => {
        const [model, checks] = await Promise.all([ctx.registry.requireModel(name), ctx.registry.listMonitorChecks(name, { limit: 1 })]);
        const latest = model.versions.at(-1);
        return {
          name,
          aliases: Object.entries(model.aliases),
          versions: model.versions.length,
          metrics: latest ? `v${latest.version}: ${metricsText(latest.metrics)}` : '',
          lastCheck: checks.at(-1),
          pending: pending.filter((r) => r.model === name).length,
        };
      }),
    );
    return ctx.page(request, reply, 'models', { title: 'Models', nav: 'models', models, pending });
  });

  app.get<{ Params: { name: string }; Querystring: { metric?: string } }>('/models/:name', async (request, reply) => {
    const model = await ctx.registry.requireModel(request.params.name);
    const metrics = [...new Set(model.versions.flatMap((v) => Object.keys(v.metrics)))].sort();
    const metric = metrics.includes(request.query.metric ?? '') ? (request.query.metric as string) : metrics[0];
    const versions = [...model.versions].reverse().map((v) => ({
      version: v.version,
      createdAt: v.createdAt,
      metricsText: metricsText(v.metrics),
      approval: v.approval ? `${v.approval.decision} by ${v.approval.reviewer}${v.approval.comment ? `: ${v.approval.comment}` : ''}` : '',
      aliases: Object.entries(model.aliases).filter(([, n]) => n === v.version).map(([a]) => a).join(', '),
      data: v.lineage.dataset.sha256.slice(0, 12),
      lineage: JSON.stringify(v.lineage, null, 1),
      report: v.report ? `/models/${model.name}/versions/${v.version}/report` : undefined,
      temporal: v.lineage.workflowId ? ctx.temporalLink(v.lineage.workflowId, v.lineage.runId) : undefined,
    }));
    return ctx.page(request, reply, 'model', {
      title: model.name,
      nav: 'models',
      model,
      metrics,
      metric,
      versionChart: metric ? metricAcrossVersions(model.versions, metric, model.aliases.production) : undefined,
      versions,
      history: [...model.history].reverse(),
    });
  });
}
