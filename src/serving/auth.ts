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

/** Fewer characters than this is refused at start: an empty variable must not silently turn auth off. */
export const minTokenLength = 8;

/**
 * A constant-time check of an `Authorization` header against `token`; validates the token once
 * (`variable` names it in the message). An empty or short token is refused, never ignored.
 */
export function bearerChecker(token: string, variable = 'MLOPS_SERVE_TOKEN'): (authorization: string | undefined) => boolean {
  if (token.length < minTokenLength || /\s/.test(token)) {
    throw new MlopsError(
      'UsageError',
      `the ${variable} token must be at least ${minTokenLength} characters without spaces (e.g. ${variable}=$(openssl rand -hex 16)); unset the variable to run without one`,
    );
  }
  const expected = digest(`Bearer ${token}`);
  return (authorization) => typeof authorization === 'string' && timingSafeEqual(digest(authorization), expected);
}

type Checker = (authorization: string | undefined) => boolean;

/** The feedback route's pattern (routes-tf-serving.ts). */
const feedbackRoute = /::feedback$/;

/**
 * Adds the checks: `serve` guards every route but the health probes; `feedback`, when given,
 * guards `:feedback` instead (so the predict token does not authorise writing ground truth).
 * Without either, routes stay open.
 */
export function requireBearerTokens(app: FastifyInstance, checkers: { readonly serve?: Checker; readonly feedback?: Checker }): void {
  if (!checkers.serve && !checkers.feedback) return;
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? '';
    if (openRoutes.has(route)) return;
    const isFeedback = feedbackRoute.test(route);
    const [check, variable] = isFeedback && checkers.feedback ? [checkers.feedback, 'MLOPS_FEEDBACK_TOKEN'] : [checkers.serve, 'MLOPS_SERVE_TOKEN'];
    if (!check || check(request.headers.authorization)) return;
    void reply.header('www-authenticate', 'Bearer realm="mlops"');
    throw new HttpError(
      401,
      request.headers.authorization === undefined
        ? `this server requires a token: send the header "Authorization: Bearer <token>" with the token it was started with (${variable})`
        : `the bearer token is wrong: send "Authorization: Bearer <token>" with the token the server was started with (${variable})`,
    );
  });
}
