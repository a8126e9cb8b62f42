/**
 * Optional bearer-token auth for the model server (`MLOPS_SERVE_TOKEN`). Every route needs
 * `Authorization: Bearer <token>` except the health probes, which orchestrators call without
 * credentials. Tokens are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { MlopsError } from '../errors.js';
import { HttpError } from './http-error.js';

/** Routes that stay open with auth on. */
const openRoutes: ReadonlySet<string> = new Set(['/v2/health/live', '/v2/health/ready']);

const digest = (text: string) => createHash('sha256').update(text).digest();

/** A constant-time check of an `Authorization` header against `token`; validates the token once. */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  if (token.length < 8 || /\s/.test(token)) {
    throw new MlopsError('UsageError', 'the serving token must be at least 8 characters without spaces (e.g. MLOPS_SERVE_TOKEN=$(openssl rand -hex 16))');
  }
  const expected = digest(`Bearer ${token}`);
  return (authorization) => typeof authorization === 'string' && timingSafeEqual(digest(authorization), expected);
}

/** Adds the check to every fastify route but the open ones. */
export function requireBearerToken(app: FastifyInstance, isAuthorized: (authorization: string | undefined) => boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    if (openRoutes.has(request.routeOptions.url ?? '') || isAuthorized(request.headers.authorization)) return;
    void reply.header('www-authenticate', 'Bearer realm="mlops"');
    throw new HttpError(
      401,
      request.headers.authorization === undefined
        ? 'this server requires a token: send the header "Authorization: Bearer <token>" with the token it was started with (MLOPS_SERVE_TOKEN)'
        : 'the bearer token is wrong: send "Authorization: Bearer <token>" with the token the server was started with (MLOPS_SERVE_TOKEN)',
    );
  });
}
