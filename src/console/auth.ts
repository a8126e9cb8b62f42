/**
 * Who is using the console. A decision is signed with the authenticated user, never a typed
 * name: either a trusted proxy in front of the console names the user in a header
 * (`MLOPS_UI_USER_HEADER`, e.g. oauth2-proxy's `X-Forwarded-User`; honoured only when set), or
 * the user presents a token from the `MLOPS_UI_TOKENS` file (`Authorization: Bearer`, or the
 * cookie the login page sets). Without either the console is read-only.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { MlopsError } from '../errors.js';

export interface ConsoleAuth {
  /** The header a trusted proxy sets to the user's name (lower case); unset: headers are ignored. */
  readonly userHeader?: string;
  /** token → user name. */
  readonly tokens: ReadonlyMap<string, string>;
}

/** The cookie the login page sets to the user's token. */
export const tokenCookie = 'mlops_token';

/** Reads the auth settings from the environment; the tokens file holds `NAME:TOKEN` lines (# comments). */
export async function loadConsoleAuth(env: NodeJS.ProcessEnv = process.env): Promise<ConsoleAuth> {
  const header = env.MLOPS_UI_USER_HEADER?.trim();
  const file = env.MLOPS_UI_TOKENS?.trim();
  return { userHeader: header ? header.toLowerCase() : undefined, tokens: file ? parseTokens(await readFile(file, 'utf8'), file) : new Map() };
}

/** `NAME:TOKEN` per line; a token is at least 16 characters, so it cannot be guessed. */
export function parseTokens(text: string, where: string): Map<string, string> {
  const tokens = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const token = line.slice(colon + 1).trim();
    if (colon < 1 || !name || token.length < 16) throw new MlopsError('UsageError', `${where} line ${i + 1}: write NAME:TOKEN with a token of at least 16 characters (e.g. ana:$(openssl rand -hex 24))`);
    tokens.set(token, name);
  });
  return tokens;
}

/** Whether anyone can sign in: otherwise the console is read-only for everyone. */
export function canAuthenticate(auth: ConsoleAuth): boolean {
  return auth.userHeader !== undefined || auth.tokens.size > 0;
}

/** The authenticated user's name, or undefined for a read-only visitor. */
export function userOf(request: FastifyRequest, auth: ConsoleAuth): string | undefined {
  if (auth.userHeader) {
    const value = request.headers[auth.userHeader];
    const name = (Array.isArray(value) ? value[0] : value)?.trim();
    if (name) return name;
  }
  const token = bearer(request) ?? cookie(request, tokenCookie);
  return token === undefined ? undefined : userForToken(auth, token);
}

/** The user a token belongs to, compared in constant time. */
export function userForToken(auth: ConsoleAuth, token: string): string | undefined {
  const given = Buffer.from(token);
  for (const [known, name] of auth.tokens) {
    const expected = Buffer.from(known);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return name;
  }
  return undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** One cookie's value (the console sets only this one, so a small parser does). */
export function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
