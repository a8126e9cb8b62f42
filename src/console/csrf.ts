/**
 * Cross-site request protection for the console's forms. A proxy header or a cookie reaches the
 * console with any request the browser makes, including one a hostile page submits, so every
 * form post must (1) come from the console's own origin (the browser's `Origin` and
 * `Sec-Fetch-Site` headers), and (2) carry a token that only a page rendered for that user
 * holds: an HMAC of the user's name under a key made when the console starts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export class CsrfGuard {
  private readonly key = randomBytes(32);

  /** The token the forms of a page rendered for `user` carry. */
  tokenFor(user: string): string {
    return createHmac('sha256', this.key).update(user).digest('base64url');
  }

  /** Why `request` (a form post by `user`) is refused, or undefined when it may proceed. */
  refusal(request: FastifyRequest, user: string, token: unknown): string | undefined {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request may not change anything here`;
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(request)) return `a form from ${origin} may not change anything here`;
    if (typeof token !== 'string') return 'the form has no CSRF token; reload the page and try again';
    const expected = Buffer.from(this.tokenFor(user));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'the form\'s CSRF token is not valid for you; reload the page and try again';
    return undefined;
  }
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? ''}`;
}
