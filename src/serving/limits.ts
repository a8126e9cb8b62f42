/**
 * The model server's limits: how long a client may take and how much it may send. Every one has
 * a safe default, a {@link ServerOptions} field, and an `MLOPS_SERVE_*` variable for `mlops serve`
 * (README, "Server limits"). A client that sends its body a byte at a time is cut off after
 * `requestTimeoutMs`, not held for ever.
 */
import { durationMs } from '../shared/duration.js';
import { MlopsError } from '../errors.js';

export interface ServerLimits {
  /** Largest request body in bytes (`MLOPS_SERVE_BODY_LIMIT`). Default 10 MiB. */
  readonly bodyLimit: number;
  /** The whole request, headers and body, must arrive within this (`MLOPS_SERVE_REQUEST_TIMEOUT`). Default 30 s. */
  readonly requestTimeoutMs: number;
  /** The headers must arrive within this (`MLOPS_SERVE_HEADERS_TIMEOUT`). Default 10 s. */
  readonly headersTimeoutMs: number;
  /** A connection with no traffic at all is closed after this (`MLOPS_SERVE_IDLE_TIMEOUT`). Default 60 s. */
  readonly idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (`MLOPS_SERVE_KEEP_ALIVE_TIMEOUT`). Default 5 s. */
  readonly keepAliveTimeoutMs: number;
  /** Largest header block in bytes (`MLOPS_SERVE_MAX_HEADER_BYTES`). Default 16 KiB. */
  readonly maxHeaderBytes: number;
  /** Most instances in one predict request (`MLOPS_SERVE_MAX_INSTANCES`). Default 10,000. */
  readonly maxInstances: number;
  /** Most labels in one feedback call (`MLOPS_SERVE_MAX_FEEDBACK`). Default 1,000. */
  readonly maxFeedbackItems: number;
}

export const defaultLimits: ServerLimits = Object.freeze({
  bodyLimit: 10 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  maxInstances: 10_000,
  maxFeedbackItems: 1_000,
});

const variables: Readonly<Record<keyof ServerLimits, readonly [string, 'bytes' | 'count' | 'duration']>> = {
  bodyLimit: ['MLOPS_SERVE_BODY_LIMIT', 'bytes'],
  requestTimeoutMs: ['MLOPS_SERVE_REQUEST_TIMEOUT', 'duration'],
  headersTimeoutMs: ['MLOPS_SERVE_HEADERS_TIMEOUT', 'duration'],
  idleTimeoutMs: ['MLOPS_SERVE_IDLE_TIMEOUT', 'duration'],
  keepAliveTimeoutMs: ['MLOPS_SERVE_KEEP_ALIVE_TIMEOUT', 'duration'],
  maxHeaderBytes: ['MLOPS_SERVE_MAX_HEADER_BYTES', 'bytes'],
  maxInstances: ['MLOPS_SERVE_MAX_INSTANCES', 'count'],
  maxFeedbackItems: ['MLOPS_SERVE_MAX_FEEDBACK', 'count'],
};

/** The limits set in `env` (only those set; the rest keep their defaults). */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServerLimits> {
  const limits: Partial<Record<keyof ServerLimits, number>> = {};
  for (const [key, [name, kind]] of Object.entries(variables) as [keyof ServerLimits, (typeof variables)[keyof ServerLimits]][]) {
    const text = env[name]?.trim();
    if (!text) continue;
    limits[key] = kind === 'duration' ? parseDuration(name, text) : parseCount(name, text);
  }
  return limits;
}

/** The limits with defaults filled in, validated (positive whole numbers; headers before the request). */
export function resolveLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...defaultLimits, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as ServerLimits;
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new MlopsError('UsageError', `${key} must be a positive whole number, got ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new MlopsError('UsageError', `headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`);
  }
  return Object.freeze(limits);
}

function parseDuration(name: string, text: string): number {
  try {
    const ms = durationMs(text);
    if (ms > 0) return ms;
  } catch {
    // Reported below with the variable's name.
  }
  throw new MlopsError('UsageError', `${name}="${text}" is not a duration: use a number and a unit, e.g. 500ms, 30s or 2m`);
}

function parseCount(name: string, text: string): number {
  const value = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(value) && value > 0) return value;
  throw new MlopsError('UsageError', `${name}="${text}" must be a positive whole number`);
}
