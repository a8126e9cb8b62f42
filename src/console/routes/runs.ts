/** Runs: filter and sort (`/runs`), compare several side by side (`/runs/compare`), a sweep's trials in parallel coordinates (`/runs/sweeps/:id`). */
import type { FastifyInstance } from 'fastify';
import { MlopsError } from '../../errors.js';
import { finalOutcomes, type RunOutcome, type RunRecord } from '../../registry/run-record.js';
import { parallelCoordinates } from '../charts.js';
import { compareRunFields } from '../compare.js';
import type { ConsoleContext } from '../context.js';
import { metricsText, paramsText } from '../format.js';

/** The most rows the runs page shows; filters narrow the rest down. */
const maxRows = 500;
const outcomes: RunOutcome[] = ['running', 'awaiting-approval', ...finalOutcomes];

interface RunsQuery {
  model?: string;
  outcome?: string;
  kind?: string;
  sort?: string;
  order?: string;
}

export function registerRunRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Querystring: RunsQuery }>('/runs', async (request, reply) => {
    const q = request.query;
    const [all, modelNames] = await Promise.all([
      ctx.registry.listRuns({
        model: q.model || undefined,
        outcome: outcomes.includes(q.outcome as RunOutcome) ? (q.outcome as RunOutcome) : undefined,
        kind: q.kind === 'pipeline' || q.kind === 'trial' ? q.kind : undefined,
      }),
      ctx.registry.listModels(),
    ]);
    const metricKeys = [...new Set(all.flatMap((r) => Object.keys(r.metrics ?? {})))].sort();
    const sortKeys = ['started', ...metricKeys];
    const sort = sortKeys.includes(q.sort ?? '') ? (q.sort as string) : 'started';
    const sorted = sortRuns(all, sort, q.order === 'asc' ? 1 : -1).slice(0, maxRows);
    const runs = sorted.map((r) => ({ ...r, params: paramsText(r.hyperparameters), metricsText: metricsText(r.metrics), temporal: ctx.temporalLink(r.workflowId, r.runId) }));
    return ctx.page(request, reply, 'runs', { title: 'Runs', nav: 'runs', runs, total: all.length, modelNames, outcomes, sortKeys, query: { ...q, sort } });
  });

  app.get<{ Querystring: { id?: string | string[] } }>('/runs/compare', async (request, reply) => {
    const ids = [request.query.id ?? []].flat().slice(0, 20);
    const found = await Promise.all(ids.map((id) => ctx.registry.getRun(id)));
    const runs = found.filter((r): r is RunRecord => r !== undefined);
    if (runs.length < 2) throw new MlopsError('BadRequest', 'pick at least two runs to compare (tick them on the runs page)');
    return ctx.page(request, reply, 'compare', { title: 'Compare runs', nav: 'runs', runs, rows: compareRunFields(runs) });
  });

  app.get<{ Params: { sweep: string } }>('/runs/sweeps/:sweep', async (request, reply) => {
    const trials = (await ctx.registry.listRuns({ kind: 'trial', parentWorkflowId: request.params.sweep })).sort((a, b) => (a.trial ?? 0) - (b.trial ?? 0));
    const metric = Object.keys(trials.find((t) => t.metrics)?.metrics ?? {})[0] ?? 'objective';
    return ctx.page(request, reply, 'sweep', {
      title: `Sweep ${request.params.sweep}`,
      nav: 'runs',
      sweep: request.params.sweep,
      trials: trials.map((t) => ({ ...t, params: paramsText(t.hyperparameters), metricsText: metricsText(t.metrics) })),
      parallel: parallelCoordinates(trials, metric),
      compareQuery: trials.map((t) => `id=${encodeURIComponent(t.id)}`).join('&'),
    });
  });
}

/** By start time, or by a metric (runs without it last). */
function sortRuns(runs: RunRecord[], key: string, direction: 1 | -1): RunRecord[] {
  if (key === 'started') return [...runs].sort((a, b) => direction * a.startedAt.localeCompare(b.startedAt));
  const value = (r: RunRecord) => r.metrics?.[key];
  return [...runs].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
    return direction * (x - y);
  });
}
