/** What every console route needs: the registry and store, auth, the CSRF guard, the views, Temporal. */
import type { Client } from '@temporalio/client';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { canAuthenticate, userOf, type ConsoleAuth } from './auth.js';
import type { CsrfGuard } from './csrf.js';

export interface ConsoleContext {
  readonly registry: ModelRegistry;
  readonly store: ArtifactStore;
  readonly auth: ConsoleAuth;
  readonly csrf: CsrfGuard;
  /** The Temporal client decisions go through (connected on first use). */
  readonly temporal: () => Promise<Client>;
  /** Link to a workflow run in the Temporal Web UI; undefined when no UI is configured. */
  temporalLink(workflowId: string, runId?: string): string | undefined;
  /** Renders `view` inside the layout with the page's common fields. */
  page(request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>): FastifyReply;
  user(request: FastifyRequest): string | undefined;
}

const views = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), cache: true, autoEscape: true });

/** A chart placeholder and its spec, as JSON that cannot close the script element. */
function chart(id: string, spec: unknown): string {
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<div data-chart="chart-${id}"></div><script type="application/json" id="chart-${id}">${json}</script>`;
}

export function createContext(options: Omit<ConsoleContext, 'page' | 'user' | 'temporalLink'> & { temporalUiUrl?: string; namespace: string }): ConsoleContext {
  const user = (request: FastifyRequest) => userOf(request, options.auth);
  return {
    registry: options.registry,
    store: options.store,
    auth: options.auth,
    csrf: options.csrf,
    temporal: options.temporal,
    user,
    temporalLink(workflowId, runId) {
      if (!options.temporalUiUrl) return undefined;
      const base = `${options.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
      return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
    },
    page(request, reply, view, data) {
      const who = user(request);
      const html = views.render(`./${view}`, { ...data, user: who, canSignIn: canAuthenticate(options.auth), csrf: options.csrf.tokenFor(who ?? ''), chart });
      return reply.type('text/html; charset=utf-8').send(html);
    },
  };
}
