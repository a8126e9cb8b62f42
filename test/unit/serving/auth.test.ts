/** Bearer-token auth: every route but the health probes needs the token; wrong or missing → 401. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/serving/server.js';
import { createFixture, instance, serverOptions, type Fixture } from './helpers.js';

const token = 's3cret-token-42';

describe('bearer-token auth', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  beforeAll(async () => {
    fx = await createFixture();
    await fx.addVersion('taxi', {}, { alias: 'production' });
    app = buildServer({ ...serverOptions(fx), token });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await fx.cleanup();
  });

  const predict = (authorization?: string) =>
    app.inject({ method: 'POST', url: '/v1/models/taxi:predict', payload: { instances: [instance] }, headers: authorization === undefined ? {} : { authorization } });

  it('answers with the right token', async () => {
    expect((await predict(`Bearer ${token}`)).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  it.each([
    ['no header', undefined, /requires a token/],
    ['a wrong token', 'Bearer nope', /token is wrong/],
    ['the token without the scheme', token, /token is wrong/],
    ['a longer token', `Bearer ${token}x`, /token is wrong/],
  ])('401s %s, saying how to authenticate', async (_name, header, message) => {
    const res = await predict(header);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="mlops"');
    expect(res.json().error).toMatch(message);
  });

  it('protects metadata, KServe and metrics routes too', async () => {
    for (const url of ['/v1/models/taxi', '/v1/models/taxi/metadata', '/v2/models/taxi', '/v2/models/taxi/ready', '/v2', '/metrics']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
  });

  it('keeps the health probes open', async () => {
    expect((await app.inject({ method: 'GET', url: '/v2/health/live' })).json()).toEqual({ live: true });
    expect((await app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(200);
  });

  it('refuses a trivially short token at build time', () => {
    expect(() => buildServer({ registry: fx.registry, loadPredictor: fx.loadPredictor, token: 'abc' })).toThrow(/at least 8 characters/);
  });
});
