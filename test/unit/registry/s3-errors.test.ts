import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import { s3StoreError, type S3Target } from '../../../src/registry/s3-errors.js';

const target: S3Target = { store: 's3://models/prod', bucket: 'models', endpoint: 'http://minio:9000' };
const ref = { uri: `s3://models/prod/ab/${'ab'.repeat(32)}.json`, sha256: 'ab'.repeat(32), bytes: 3 };
const meta = (status: number) => ({ $metadata: { httpStatusCode: status } });

/** An error shaped like the SDK's for a response without a modeled error class. */
function serviceError(name: string, status: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', message, ...meta(status) });
}

/** An error shaped like Node's for a failed socket. */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:9000`), { code });
}

describe('s3StoreError', () => {
  it.each([
    ['connection refused', socketError('ECONNREFUSED'), 'connect ECONNREFUSED 10.0.0.1:9000'],
    ['connection reset', socketError('ECONNRESET'), 'connect ECONNRESET 10.0.0.1:9000'],
    ['unknown host', socketError('ENOTFOUND'), 'connect ENOTFOUND 10.0.0.1:9000'],
    ['socket timeout', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'socket hang up'],
    ['503 SlowDown', serviceError('SlowDown', 503, 'Please reduce your request rate.'), 'SlowDown (HTTP 503): Please reduce your request rate.'],
    ['500 InternalError', serviceError('InternalError', 500), 'InternalError (HTTP 500)'],
    ['a HEAD answered 502', serviceError('Unknown', 502, 'UnknownError'), 'Unknown (HTTP 502)'],
    ['429 throttling', serviceError('TooManyRequests', 429), 'TooManyRequests (HTTP 429)'],
    ['400 RequestTimeout', serviceError('RequestTimeout', 400), 'RequestTimeout (HTTP 400)'],
  ])('reports %s as retryable StoreUnavailable naming the store and endpoint', (_, err, cause) => {
    const mapped = s3StoreError(err, target) as MlopsError;
    expect(mapped).toBeInstanceOf(MlopsError);
    expect(mapped.type).toBe('StoreUnavailable');
    expect(mapped.retryable).toBe(true);
    expect(mapped.message).toBe(`cannot reach the artifact store s3://models/prod at http://minio:9000 (${cause}); check MLOPS_S3_ENDPOINT and that the service is up`);
  });

  it('names a missing bucket and how to create it', () => {
    const mapped = s3StoreError(new NoSuchBucket({ message: 'The specified bucket does not exist', ...meta(404) }), target) as MlopsError;
    expect(mapped.type).toBe('UsageError');
    expect(mapped.retryable).toBe(false);
    expect(mapped.message).toMatch(/^bucket "models" does not exist at http:\/\/minio:9000; create it \(aws s3 mb s3:\/\/models/);
    expect(mapped.message).toContain('MLOPS_ARTIFACTS=s3://models/prod');
  });

  it.each([
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['ExpiredToken', 400],
    ['Unknown', 403], // a HEAD refused: no body, so no name
  ])('reports %s (HTTP %i) as a UsageError about credentials', (name, status) => {
    const mapped = s3StoreError(serviceError(name, status), target) as MlopsError;
    expect(mapped.type).toBe('UsageError');
    expect(mapped.message).toContain(`refused the credentials (${name} (HTTP ${status})`);
    expect(mapped.message).toContain('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)');
  });

  it('reports credentials the SDK could not find as a UsageError', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const mapped = s3StoreError(err, target) as MlopsError;
    expect(mapped.type).toBe('UsageError');
    expect(mapped.message).toContain('(Could not load credentials from any providers)');
  });

  it('reports a missing object of an artifact being read like the file store does', () => {
    const mapped = s3StoreError(new NoSuchKey({ message: 'UnknownError', ...meta(404) }), { ...target, ref }) as MlopsError;
    expect(mapped.type).toBe('ArtifactCorrupt');
    expect(mapped.message).toBe(`artifact ${ref.uri} is missing; re-run the step that produced it`);
  });

  it('passes MlopsErrors through and names the store on anything else', () => {
    const own = new MlopsError('ArtifactCorrupt', 'modified');
    expect(s3StoreError(own, target)).toBe(own);
    const digest = serviceError('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
    const mapped = s3StoreError(digest, target);
    expect(mapped).not.toBeInstanceOf(MlopsError);
    expect(mapped.message).toBe('the artifact store s3://models/prod at http://minio:9000 failed: BadDigest (HTTP 400): The Content-MD5 you specified did not match what we received.');
    expect(mapped.cause).toBe(digest);
    // Without a reference, a 404 is not an artifact's absence (a HEAD probing a key).
    expect(s3StoreError(serviceError('NotFound', 404), target)).not.toBeInstanceOf(MlopsError);
  });
});
