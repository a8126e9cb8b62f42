/**
 * What an S3 failure means for the user, decided in one place: an outage is retryable
 * (`StoreUnavailable`), a missing bucket or refused credentials is configuration to fix
 * (`UsageError`), a missing object is a broken reference (`ArtifactCorrupt`).
 */
import { MlopsError } from '../errors.js';
import { missingArtifact, type ArtifactRef } from './artifact-store.js';

/** Where a failed request went, for messages. */
export interface S3Target {
  /** The store, as configured: `s3://bucket/prefix`. */
  readonly store: string;
  readonly bucket: string;
  /** The endpoint in words: MLOPS_S3_ENDPOINT's URL, or AWS with its region. */
  readonly endpoint: string;
  /** The artifact being read, when a missing object means a missing artifact. */
  readonly ref?: ArtifactRef;
}

/** Error names S3 and S3-compatible servers use for credentials they do not accept. */
const credentialErrors = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
  'CredentialsProviderError',
]);

/** Error names of overload and transient server trouble; retrying later helps. */
const transientErrors = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Node's socket and DNS failures: the service is down, unreachable or dropped the connection. */
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Maps an error from the S3 client (or from reading a response body) to the catalogue. An
 * {@link MlopsError} passes through; an error of no known kind (say BadDigest, a body damaged
 * in transit) becomes a plain error naming the store, which Temporal retries.
 */
export function s3StoreError(err: unknown, target: S3Target): Error {
  if (err instanceof MlopsError) return err;
  if (!(err instanceof Error)) return new Error(String(err));
  const e = err as Error & SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name;
  const details = { bucket: target.bucket, endpoint: target.endpoint, cause: describe(e) };

  if (name === 'NoSuchBucket') {
    return new MlopsError(
      'UsageError',
      `bucket "${target.bucket}" does not exist at ${target.endpoint}; create it (aws s3 mb s3://${target.bucket}, with --endpoint-url set to MLOPS_S3_ENDPOINT for a non-AWS store) or fix MLOPS_ARTIFACTS=${target.store}`,
      details,
    );
  }
  if (credentialErrors.has(name) || status === 401 || status === 403) {
    return new MlopsError(
      'UsageError',
      `the artifact store ${target.store} at ${target.endpoint} refused the credentials (${describe(e)}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to a key that may read and write ${target.store}`,
      details,
    );
  }
  if (target.ref && (name === 'NoSuchKey' || name === 'NotFound' || status === 404)) {
    return missingArtifact(target.ref);
  }
  if (isUnavailable(e, status)) {
    return new MlopsError(
      'StoreUnavailable',
      `cannot reach the artifact store ${target.store} at ${target.endpoint} (${describe(e)}); check MLOPS_S3_ENDPOINT and that the service is up`,
      details,
    );
  }
  return new Error(`the artifact store ${target.store} at ${target.endpoint} failed: ${describe(e)}`, { cause: err });
}

function isUnavailable(e: SdkErrorShape, status: number | undefined): boolean {
  if (status !== undefined) return status >= 500 || status === 429 || transientErrors.has(e.name ?? '');
  return transientErrors.has(e.name ?? '') || networkCodes.has(e.code ?? '') || Boolean(e.$retryable);
}

/** `SlowDown (HTTP 503): Please reduce your request rate`, or Node's message for a socket error. */
function describe(e: Error & SdkErrorShape): string {
  const status = e.$metadata?.httpStatusCode;
  // HEAD responses have no body, so the SDK can only say "UnknownError" for them.
  const message = e.message && e.message !== 'UnknownError' && e.message !== e.name ? e.message : '';
  if (status === undefined) return message || e.code || e.name;
  return `${e.name} (HTTP ${status})${message ? `: ${message}` : ''}`;
}
