/**
 * How the model server turns anything thrown into an HTTP status and the one JSON error shape
 * of the API, `{ "error": "what is wrong and how to fix it" }`. User input never maps to a
 * 5xx: fastify's own body and routing errors get their 4xx and a message that says what to
 * send instead.
 */
import { isMlopsError, type ErrorType } from '../errors.js';

/** An error that already knows its HTTP status; the message is shown to the client. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** What the error handler sends, plus a bounded `kind` for the errors metric. */
export interface ErrorReply {
  readonly status: number;
  readonly message: string;
  readonly kind: string;
}

/** What the mapping needs to know about the request, for messages that name the fix. */
export interface ErrorContext {
  readonly contentType?: string;
  readonly bodyLimit: number;
}

const mlopsStatus: Partial<Record<ErrorType, number>> = {
  BadRequest: 400,
  UsageError: 400,
  ModelNotFound: 404,
  ArtifactCorrupt: 503,
  RegistryCorrupt: 503,
};

const example = '{"instances": [{"feature": 1.5}]}';

function fastifyMessage(code: string, ctx: ErrorContext): string | undefined {
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported Content-Type "${ctx.contentType ?? '(none)'}": send the body as JSON with the header "Content-Type: application/json"`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is larger than the limit of ${ctx.bodyLimit} bytes: split the instances over several requests`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `the body is not valid JSON (or uses a reserved "__proto__" or "constructor.prototype" key): check quotes, commas and brackets, e.g. ${example}`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return `the body is empty: send a JSON object, e.g. ${example}`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the Content-Length header does not match the body: let your HTTP client set it';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path segment is longer than 100 characters: model names, versions and labels are shorter';
    case 'FST_ERR_BAD_URL':
      return 'the URL is not valid: percent-encode special characters in the path';
    default:
      return undefined;
  }
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/** Maps any thrown value to the reply; unknown errors are a 500 that hides the details. */
export function toErrorReply(err: unknown, ctx: ErrorContext): ErrorReply {
  if (err instanceof HttpError) return { status: err.statusCode, message: err.message, kind: `http_${err.statusCode}` };
  if (isMlopsError(err)) {
    const status = mlopsStatus[err.type] ?? 500;
    return { status, message: status === 500 ? 'internal error; see the server log' : err.message, kind: err.type };
  }
  const code = (err as { code?: unknown } | null)?.code;
  const status = statusOf(err);
  if (typeof code === 'string' && code.startsWith('FST_')) {
    const message = fastifyMessage(code, ctx);
    if (message !== undefined) return { status: status ?? 400, message, kind: code };
  }
  if ((err as { validation?: unknown } | null)?.validation !== undefined) {
    return { status: 400, message: (err as Error).message, kind: 'validation' };
  }
  // Body parsing errors (e.g. a forbidden "__proto__" key) carry a 4xx status of their own.
  if (status !== undefined && status < 500) {
    return { status, message: err instanceof Error ? err.message : String(err), kind: typeof code === 'string' ? code : `http_${status}` };
  }
  return { status: 500, message: 'internal error; see the server log', kind: 'internal' };
}
