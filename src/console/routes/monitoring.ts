/** One model's monitoring over time (`/models/:name/monitoring`): drift share and per-feature scores, live vs evaluated metric, decisions as events. */
import type { FastifyInstance } from 'fastify';
import { primaryMetric } from '../../shared/objective.js';
import { driftOverTime, featureScores, liveVersusEvaluated } from '../charts.js';
import type { MonitorCheckRecord } from '../../registry/run-record.js';
import type { ConsoleContext } from '../context.js';

/** The most checks drawn: a few weeks of hourly checks. */
const maxChecks = 1000;

export function registerMonitoringRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Params: { name: string } }>('/models/:name/monitoring', async (request, reply) => {
    const name = request.params.name;
    const [model, checks] = await Promise.all([ctx.registry.getModel(name), ctx.registry.listMonitorChecks(name, { limit: maxChecks })]);
    const metric = liveMetricOf(checks, model?.versions.at(-1)?.metrics);
    const versions = new Set(checks.flatMap((c) => Object.keys(c.live ?? {})));
    const evaluated = Object.fromEntries([...versions].map((v) => [v, model?.versions.find((x) => String(x.version) === v)?.metrics[metric]]));
    const threshold = [...checks].reverse().find((c) => c.drift?.threshold !== undefined)?.drift?.threshold;
    return ctx.page(request, reply, 'monitoring', {
      title: `${name} monitoring`,
      nav: 'models',
      model: name,
      checks,
      events: [...checks].reverse().filter((c) => c.action !== 'none' || c.drift?.datasetDrift).slice(0, 200),
      driftChart: driftOverTime(checks, threshold),
      featureChart: featureScores(checks),
      liveChart: liveVersusEvaluated(checks, metric, evaluated),
    });
  });
}

/** The task's primary metric when the live metrics have it (they are the evaluation's metrics on served rows). */
function liveMetricOf(checks: readonly MonitorCheckRecord[], evaluated: Record<string, number> | undefined): string {
  const task = evaluated && 'accuracy' in evaluated ? 'classification' : 'regression';
  const live = checks.flatMap((c) => Object.values(c.live ?? {})).find((m) => Object.keys(m).length > 0);
  const primary = primaryMetric(task);
  return !live || primary in live ? primary : (Object.keys(live)[0] as string);
}
