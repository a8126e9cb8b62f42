/**
 * The server's JSON body parser, registered with fastify in place of its default and used by
 * the fast lane (./fast-lane.ts), so both paths parse alike. It raises the errors fastify's
 * default parser raises (empty body, invalid JSON, prototype poisoning: 400), with the same
 * secure-json-parse settings (onProtoPoisoning / onConstructorPoisoning: error).
 */
import { createRequire } from 'node:module';

// Resolved from fastify, so it is the version fastify itself uses.
type SecureJsonParse = (text: string, reviver: undefined, options: { protoAction: 'error'; constructorAction: 'error' }) => unknown;
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const secureJsonParse = (fromFastify('secure-json-parse') as { parse: SecureJsonParse }).parse;
const parseOptions = { protoAction: 'error', constructorAction: 'error' } as const;

/** A request body's JSON, or the 400 error fastify's default parser gives for it. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw Object.assign(new Error('empty JSON body'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 });
  try {
    return parseJson(text);
  } catch {
    throw Object.assign(new Error('invalid JSON body'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 });
  }
}

/**
 * JSON.parse with the poisoning checks. secure-json-parse looks for `"__proto__"` and
 * `"constructor"` keys, spelled plainly or with `\u` escapes, by running two regexes over the
 * text, which costs most of a small body's parse; a text without either word, without a `\u`
 * escape and without a byte-order mark (which it strips) cannot match them, so it parses alike.
 */
export function parseJson(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff || text.includes('\\u') || text.includes('__proto__') || text.includes('constructor')) {
    return secureJsonParse(text, undefined, parseOptions);
  }
  return JSON.parse(text);
}
