/** How PostgreSQL and socket failures map to registry errors (the real server: test/integration/postgres-registry.test.ts). */
import { describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import { describeDatabase, registryError } from '../../../src/registry/postgres-errors.js';

const where = 'db.internal:6543/mlops';
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('registryError', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
    ['ECONNRESET', 'read ECONNRESET'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:6543'],
  ])('treats %s as a retryable outage', (code, message) => {
    const err = registryError(pgError(code, message), where);
    expect(err).toMatchObject({ type: 'RegistryUnavailable', retryable: true, message: `cannot reach the registry database at ${where} (${message}); check MLOPS_REGISTRY and that PostgreSQL is up` });
  });

  it('recognises pg connection failures that carry no code', () => {
    for (const message of ['Connection terminated unexpectedly', 'timeout exceeded when trying to connect', 'Connection terminated due to connection timeout']) {
      expect(registryError(new Error(message), where)).toMatchObject({ type: 'RegistryUnavailable' });
    }
  });

  it('says what to fix for bad credentials, a missing database and a conflict', () => {
    expect(registryError(pgError('28P01', 'password authentication failed for user "ana"'), where)).toMatchObject({ type: 'UsageError', message: expect.stringMatching(/fix the user and password in MLOPS_REGISTRY/) });
    expect(registryError(pgError('28000', 'no pg_hba.conf entry'), where)).toMatchObject({ type: 'UsageError' });
    expect(registryError(pgError('3D000', 'database "mlops" does not exist'), where)).toMatchObject({ type: 'UsageError', message: expect.stringMatching(/"createdb mlops"/) });
    expect(registryError(pgError('40001', 'could not serialize access'), where)).toMatchObject({ type: 'RegistryConflict', retryable: true });
  });

  it('passes other errors through unchanged', () => {
    const rule = new MlopsError('ModelNotFound', 'no version 7');
    expect(registryError(rule, where)).toBe(rule);
    const syntax = pgError('42601', 'syntax error');
    expect(registryError(syntax, where)).toBe(syntax);
    expect(registryError('text', where)).toBe('text');
  });
});

describe('describeDatabase', () => {
  it('names host, port and database, never the user or password', () => {
    expect(describeDatabase('postgres://ana:s3cret@db.internal:6543/mlops')).toBe('db.internal:6543/mlops');
    expect(describeDatabase('postgresql://ana:s3cret@db.internal/mlops?sslmode=verify-full')).toBe('db.internal:5432/mlops');
    expect(describeDatabase('postgres://ana@/mlops?host=/var/run/postgresql')).toBe('/var/run/postgresql:5432/mlops');
    expect(describeDatabase('postgres://ana:pw@localhost')).toBe('localhost:5432/ana');
  });
});
