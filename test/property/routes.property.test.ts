/**
 * Property-based bad input against every HTTP route (fast-check): random JSON shapes, strings
 * (lone surrogates included), numbers, sizes and near-valid bodies. The server never answers
 * 5xx, never crashes, and every 4xx is `{ "error": "…" }` naming what is wrong.
 */
import path from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/serving/server.js';
import { addServingModels, createFixture, serverOptions, type Fixture } from '../unit/serving/helpers.js';
import { fuzzRuns, Tally } from './fuzz-budget.js';

const routes = [
  ['POST', '/v1/models/$:predict'],
  ['POST', '/v1/models/$/versions/2:predict'],
  ['POST', '/v1/models/$/labels/staging:predict'],
  ['POST', '/v1/models/$:feedback'],
  ['POST', '/v2/models/$/infer'],
  ['GET', '/v1/models/$'],
  ['GET', '/v1/models/$/metadata'],
  ['GET', '/v2/models/$/ready'],
] as const;
const names = fc.constantFrom('taxi', 'churn', 'draft', 'nope', 'Taxi', '..%2Fx', '%ZZ', 'a'.repeat(101), '__proto__');

const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'x\ud83d', '\udc00y');
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), loneSurrogate, fc.constantFrom('', '132', 'stays', 'churns', 'x'.repeat(5000)));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(1e300, -1e300, 1.7e308, 0, -0, 2 ** 53, Number.MAX_SAFE_INTEGER + 2));
const value = fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.array(number, { maxLength: 3 }), fc.dictionary(text, number, { maxKeys: 2 }));
const featureName = fc.oneof(fc.constantFrom('trip_distance', 'passengers', 'PULocationID'), text);
const instanceArb = fc.dictionary(featureName, value, { maxKeys: 5 });
const nearValid = fc.oneof(
  fc.record({ instances: fc.array(instanceArb, { maxLength: 4 }) }),
  fc.record({ inputs: fc.dictionary(featureName, fc.array(value, { maxLength: 3 }), { maxKeys: 4 }) }),
  fc.record({ inputs: fc.array(fc.record({ name: featureName, shape: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }), datatype: fc.constantFrom('FP64', 'FP32', 'INT64', 'BYTES', 'BOOL', 'x'), data: fc.array(value, { maxLength: 4 }) }), { maxLength: 4 }) }),
  fc.record({ request_id: fc.oneof(text, fc.uuid()), index: fc.oneof(fc.integer(), number, text), label: value }),
  fc.array(fc.record({ request_id: fc.oneof(text, fc.uuid()), label: value }), { maxLength: 5 }),
  fc.record({ instances: fc.array(fc.constant({ trip_distance: 1, passengers: 1, PULocationID: '1' }), { minLength: 0, maxLength: 60 }) }),
);
const body = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), nearValid.map((v) => JSON.stringify(v)), fc.string({ maxLength: 60 }), fc.constantFrom('', '{', '{"instances":', '[1,2', 'null', '{"__proto__":{"x":1}}'));

describe('HTTP routes under random input', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  const tally = new Tally('routes');
  beforeAll(async () => {
    fx = await createFixture();
    await addServingModels(fx);
    app = buildServer({ ...serverOptions(fx), store: fx.store, maxInstances: 50, bodyLimit: 64 * 1024, inferenceLog: { dir: path.join(fx.dir, 'inference') } });
    await app.ready();
  });
  afterAll(async () => {
    tally.report();
    await app.close();
    await fx.cleanup();
  });

  it('never answers 5xx; every 4xx names what is wrong', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), names, body, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', ''), async ([method, route], name, payload, type) =>
        tally.check(async () => {
        const url = route.replace('$', name);
        const res = await app.inject({ method, url, ...(method === 'POST' ? { payload, headers: type ? { 'content-type': type } : {} } : {}) });
        expect(res.statusCode, `${method} ${url} ${payload.slice(0, 200)}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const error = (res.json() as { error?: unknown }).error;
          expect(typeof error).toBe('string');
          expect((error as string).length).toBeGreaterThan(10);
        }
      })),
      { numRuns: fuzzRuns(400) },
    );
  });
});
