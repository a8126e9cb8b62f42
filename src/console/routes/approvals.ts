/**
 * Approvals (`/approvals`): the runs awaiting a decision with their metrics against the
 * champion, and the approve/reject form. A decision is signed with the authenticated user and
 * goes through the pipeline's `decide` update, so the gate's own validation applies (a
 * pipeline no longer waiting, or already decided, refuses it).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideUpdate, type DecideInput } from '../../../workflows/messages.js';
import type { RunRecord } from '../../registry/run-record.js';
import { display } from '../compare.js';
import type { ConsoleContext } from '../context.js';

interface DecisionForm {
  decision?: string;
  comment?: string;
  _csrf?: string;
}

export function registerApprovalRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Querystring: { done?: string } }>('/approvals', async (request, reply) => {
    return showApprovals(ctx, request, reply, request.query.done ? { text: request.query.done, kind: 'ok' } : undefined);
  });

  app.post<{ Params: { workflowId: string }; Body: DecisionForm }>('/approvals/:workflowId', async (request, reply) => {
    const user = ctx.user(request);
    if (!user) return showApprovals(ctx, request, reply.code(403), { text: 'sign in to approve or reject: the console is read-only for visitors', kind: 'error' });
    const body = request.body ?? {};
    const refusal = ctx.csrf.refusal(request, user, body._csrf);
    if (refusal) return showApprovals(ctx, request, reply.code(403), { text: `refused: ${refusal}`, kind: 'error' });
    if (body.decision !== 'approve' && body.decision !== 'reject') return showApprovals(ctx, request, reply.code(400), { text: 'decision must be approve or reject', kind: 'error' });

    const comment = body.comment?.trim() || undefined;
    const input: DecideInput = body.decision === 'approve' ? { decision: 'approve', reviewer: user, comment } : { decision: 'reject', reviewer: user, reason: comment ?? '' };
    const { workflowId } = request.params;
    try {
      const client = await ctx.temporal();
      const outcome = await client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [input] });
      return reply.redirect(`/approvals?done=${encodeURIComponent(`${workflowId}: ${outcome.decision} by ${outcome.reviewer}`)}`, 303);
    } catch (err) {
      return showApprovals(ctx, request, reply.code(409), { text: `${workflowId}: ${updateError(err)}`, kind: 'error' });
    }
  });
}

async function showApprovals(ctx: ConsoleContext, request: FastifyRequest, reply: FastifyReply, message?: { text: string; kind: 'ok' | 'error' }): Promise<FastifyReply> {
  const runs = await ctx.registry.listRuns({ outcome: 'awaiting-approval', kind: 'pipeline' });
  const pending = await Promise.all(runs.map((run) => withChampion(ctx, run)));
  return ctx.page(request, reply, 'approvals', { title: 'Approvals', nav: 'approvals', pending, message: message?.text, messageKind: message?.kind });
}

async function withChampion(ctx: ConsoleContext, run: RunRecord) {
  const champion = await ctx.registry.resolve(run.model);
  const names = [...new Set([...Object.keys(run.metrics ?? {}), ...Object.keys(champion?.metrics ?? {})])].sort();
  return {
    run,
    champion: champion?.version,
    temporal: ctx.temporalLink(run.workflowId, run.runId),
    metrics: names.map((name) => ({ name, candidate: display(run.metrics?.[name]), champion: display(champion?.metrics[name]) })),
  };
}

/** The validator's message, wherever the client put it (on the error or its cause). */
function updateError(err: unknown): string {
  const e = err as Error & { cause?: Error };
  return e.cause?.message ?? e.message;
}
