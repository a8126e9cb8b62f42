/**
 * The stored HTML reports (evaluation, validation), served from the artifact store. Only a
 * report a version or run refers to is served, never an arbitrary URI, and in a sandbox (an
 * opaque origin), so a report's scripts cannot reach the console.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MlopsError } from '../../errors.js';
import type { ArtifactRef } from '../../registry/artifact-store.js';
import type { ConsoleContext } from '../context.js';

export function registerReportRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Params: { name: string; version: string } }>('/models/:name/versions/:version/report', async (request, reply) => {
    const version = await ctx.registry.resolve(request.params.name, { version: Number(request.params.version) });
    if (!version?.report) throw new MlopsError('ModelNotFound', `model "${request.params.name}" has no version ${request.params.version} with a report`);
    return sendReport(ctx, reply, version.report);
  });

  app.get<{ Querystring: { id?: string; kind?: string } }>('/runs/report', async (request, reply) => {
    const run = request.query.id ? await ctx.registry.getRun(request.query.id) : undefined;
    const kind = request.query.kind === 'validation' ? 'validation' : 'evaluation';
    const uri = run?.reports?.[kind];
    if (!uri) throw new MlopsError('ModelNotFound', `no ${kind} report for run "${request.query.id ?? ''}"`);
    // Content-addressed: the file name is the content's SHA-256, which the store verifies.
    const sha256 = /([0-9a-f]{64})[^/]*$/.exec(uri)?.[1];
    if (!sha256) throw new MlopsError('ArtifactCorrupt', `report URI ${uri} does not name its content hash`);
    return sendReport(ctx, reply, { uri, sha256, bytes: 0 });
  });
}

async function sendReport(ctx: ConsoleContext, reply: FastifyReply, ref: ArtifactRef): Promise<FastifyReply> {
  const html = await ctx.store.readBytes(ref);
  return reply.header('content-security-policy', 'sandbox allow-scripts').type('text/html; charset=utf-8').send(html);
}
