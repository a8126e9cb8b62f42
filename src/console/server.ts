/**
 * `mlops ui`: the web console. Server-rendered pages (fastify + Eta templates, charts with
 * Vega-Lite rendered in the browser), read from the registry; decisions go to Temporal.
 * {@link buildConsole} makes the app (tested with `inject()`); {@link startConsole} listens.
 */
import formbody from '@fastify/formbody';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { isMlopsError } from '../errors.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { ConsoleAuth } from './auth.js';
import { createContext } from './context.js';
import { CsrfGuard } from './csrf.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerModelRoutes } from './routes/models.js';
import { registerMonitoringRoutes } from './routes/monitoring.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerSessionRoutes } from './routes/session.js';

export interface ConsoleOptions {
  readonly registry: ModelRegistry;
  readonly store: ArtifactStore;
  readonly auth: ConsoleAuth;
  /** The client decisions go through; called on the first decision. */
  readonly temporal: () => Promise<Client>;
  /** The Temporal Web UI's base URL (e.g. http://localhost:8233), for links to runs. */
  readonly temporalUiUrl?: string;
  readonly namespace: string;
}

const statusOf: Record<string, number> = { ModelNotFound: 404, BadRequest: 400, UsageError: 400 };

export async function buildConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  const ctx = createContext({ ...options, csrf: new CsrfGuard() });
  app.addHook('onSend', async (_request, reply, payload) => {
    // Pages run only the console's own scripts (Vega compiles expressions, hence unsafe-eval); no framing.
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
    }
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
    return payload;
  });
  app.setErrorHandler(async (err, request, reply) => {
    const code = isMlopsError(err) ? (statusOf[err.type] ?? 500) : (err as { statusCode?: number }).statusCode ?? 500;
    return ctx.page(request, reply.code(code), 'error', { title: 'Error', heading: code === 404 ? 'Not found' : 'Error', message: err instanceof Error ? err.message : String(err) });
  });
  registerAssetRoutes(app);
  registerModelRoutes(app, ctx);
  registerMonitoringRoutes(app, ctx);
  registerRunRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerApprovalRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  return app;
}

/** Builds the console and listens; resolves with its URL and a close function. */
export async function startConsole(options: ConsoleOptions & { port: number; host: string }): Promise<{ url: string; close(): Promise<void> }> {
  const app = await buildConsole(options);
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`, close: () => app.close() };
}
