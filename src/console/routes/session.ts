/** Sign in with a token from the MLOPS_UI_TOKENS file: the login page sets it as an HttpOnly, SameSite=Strict cookie. */
import type { FastifyInstance } from 'fastify';
import { tokenCookie, userForToken } from '../auth.js';
import type { ConsoleContext } from '../context.js';

export function registerSessionRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/login', async (request, reply) => ctx.page(request, reply, 'login', { title: 'Sign in' }));

  app.post<{ Body: { token?: string; _csrf?: string } }>('/login', async (request, reply) => {
    const refusal = ctx.csrf.refusal(request, '', request.body?._csrf);
    if (refusal) return ctx.page(request, reply.code(403), 'login', { title: 'Sign in', message: `refused: ${refusal}` });
    const token = request.body?.token?.trim() ?? '';
    if (!userForToken(ctx.auth, token)) return ctx.page(request, reply.code(401), 'login', { title: 'Sign in', message: 'unknown token' });
    const secure = request.protocol === 'https' ? '; Secure' : '';
    return reply.header('set-cookie', `${tokenCookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${secure}`).redirect('/approvals', 303);
  });
}
