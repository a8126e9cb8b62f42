import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/serving/server.js';
import { addServingModels, createFixture, instance, serverOptions, type Fixture } from './helpers.js';

let fx: Fixture;
let app: FastifyInstance;

beforeAll(async () => {
  fx = await createFixture();
  await addServingModels(fx);
  app = buildServer({ ...serverOptions(fx), bodyLimit: 64 * 1024, maxInstances: 100 });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await fx.cleanup();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers: { 'content-type': 'application/json', ...headers } });
const get = (url: string) => app.inject({ method: 'GET', url });

describe('TF-Serving routes', () => {
  it('predicts with the production version (the colon route matches)', async () => {
    const res = await post('/v1/models/taxi:predict', { instances: [instance, { ...instance, trip_distance: 10 }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ predictions: [3.5, 11] });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-model-version']).toBe('1');
  });

  it('predicts with a fixed version and with a label', async () => {
    expect((await post('/v1/models/taxi/versions/2:predict', { instances: [instance] })).json().predictions).toEqual([103.5]);
    expect((await post('/v1/models/taxi/labels/staging:predict', { instances: [instance] })).json().predictions).toEqual([103.5]);
    expect((await post('/v1/models/taxi/labels/production:predict', { instances: [instance] })).json().predictions).toEqual([3.5]);
  });

  it('accepts the columnar "inputs" format', async () => {
    const res = await post('/v1/models/taxi:predict', { inputs: { trip_distance: [1, 2], passengers: [1, 1], PULocationID: ['1', '2'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions).toEqual([2, 3]);
  });

  it('answers classification with label and probabilities', async () => {
    const res = await post('/v1/models/churn:predict', { instances: [instance, { ...instance, trip_distance: -20 }] });
    expect(res.statusCode).toBe(200);
    const [a, b] = res.json().predictions;
    expect(a.label).toBe('churns');
    expect(b.label).toBe('stays');
    expect(a.probabilities.churns + a.probabilities.stays).toBeCloseTo(1);
  });

  it('reports model status for production, versions and labels', async () => {
    const status = { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
    expect((await get('/v1/models/taxi')).json()).toEqual(status);
    expect((await get('/v1/models/taxi/versions/2')).json().model_version_status[0].version).toBe('2');
    expect((await get('/v1/models/taxi/labels/staging')).json().model_version_status[0].version).toBe('2');
  });

  it('describes the signature in metadata', async () => {
    const res = await get('/v1/models/taxi/metadata');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'taxi',
      version: '1',
      labels: ['production'],
      model_spec: { name: 'taxi', version: '1' },
      signature: { task: 'regression', features: [{ name: 'trip_distance', type: 'numeric' }, { name: 'passengers', type: 'numeric' }, { name: 'PULocationID', type: 'categorical' }] },
      metrics: { rmse: 1.5 },
    });
    expect((await get('/v1/models/churn/metadata')).json().signature).toMatchObject({ task: 'classification', classes: ['stays', 'churns'] });
    expect((await get('/v1/models/taxi/versions/2/metadata')).json()).toMatchObject({ version: '2', labels: ['staging'] });
    expect((await get('/v1/models/taxi/labels/staging/metadata')).json().version).toBe('2');
  });
});

describe('KServe v2 routes', () => {
  it('answers health and server metadata', async () => {
    expect((await get('/v2/health/live')).json()).toEqual({ live: true });
    expect((await get('/v2/health/ready')).json()).toEqual({ ready: true });
    expect((await get('/v2')).json()).toMatchObject({ name: 'temporal-mlops', extensions: [] });
  });

  it('describes a model with one input tensor per feature', async () => {
    const res = await get('/v2/models/taxi');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'taxi',
      versions: ['1', '2'],
      platform: 'temporal-mlops',
      inputs: [
        { name: 'trip_distance', datatype: 'FP64', shape: [-1] },
        { name: 'passengers', datatype: 'FP64', shape: [-1] },
        { name: 'PULocationID', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: [{ name: 'predictions', datatype: 'FP64', shape: [-1] }],
      parameters: { version: '1', task: 'regression' },
    });
    expect((await get('/v2/models/taxi/versions/2')).json().parameters.version).toBe('2');
    expect((await get('/v2/models/churn')).json().outputs.map((o: { name: string }) => o.name)).toEqual(['predictions', 'probabilities']);
  });

  it('answers model readiness', async () => {
    expect((await get('/v2/models/taxi/ready')).json()).toEqual({ name: 'taxi', ready: true });
    expect((await get('/v2/models/taxi/versions/2/ready')).statusCode).toBe(200);
    expect((await get('/v2/models/draft/ready')).statusCode).toBe(404);
    expect((await get('/v2/models/nope/ready')).statusCode).toBe(404);
  });

  const inferBody = {
    id: 'req-1',
    inputs: [
      { name: 'trip_distance', shape: [2, 1], datatype: 'FP32', data: [[2.5], [10]] },
      { name: 'passengers', shape: [2], datatype: 'INT64', data: [1, 1] },
      { name: 'PULocationID', shape: [2], datatype: 'BYTES', data: ['132', '7'] },
    ],
  };

  it('infers regression', async () => {
    const res = await post('/v2/models/taxi/infer', inferBody);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      model_name: 'taxi',
      model_version: '1',
      id: 'req-1',
      outputs: [{ name: 'predictions', datatype: 'FP64', shape: [2], data: [3.5, 11] }],
    });
    expect((await post('/v2/models/taxi/versions/2/infer', inferBody)).json().outputs[0].data).toEqual([103.5, 111]);
  });

  it('infers classification as labels plus a probability matrix', async () => {
    const res = await post('/v2/models/churn/infer', inferBody);
    expect(res.statusCode).toBe(200);
    const [labels, probs] = res.json().outputs;
    expect(labels).toEqual({ name: 'predictions', datatype: 'BYTES', shape: [2], data: ['churns', 'churns'] });
    expect(probs).toMatchObject({ name: 'probabilities', datatype: 'FP64', shape: [2, 2], parameters: { classes: ['stays', 'churns'] } });
    expect(probs.data[0] + probs.data[1]).toBeCloseTo(1);
    const only = await post('/v2/models/churn/infer', { ...inferBody, outputs: [{ name: 'probabilities' }] });
    expect(only.json().outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities']);
  });

  it.each([
    [{}, /"inputs" must be a non-empty list/],
    [{ inputs: [] }, /"inputs" must be a non-empty list/],
    [{ inputs: [5] }, /inputs\[0\] is a number/],
    [{ inputs: [{ shape: [1], datatype: 'FP64', data: [1] }] }, /needs a "name"/],
    [{ inputs: [{ name: 'a', shape: [1], datatype: 'FLOAT', data: [1] }] }, /"datatype" must be one of/],
    [{ inputs: [{ name: 'a', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] }, /one value per instance/],
    [{ inputs: [{ name: 'a', shape: [2], datatype: 'FP64', data: [1] }] }, /has 1 values but its shape \[2\] says 2/],
    [{ inputs: [{ name: 'a', shape: [1], datatype: 'FP64', data: ['x'] }] }, /data\[0\] is a string but the datatype is FP64/],
    [{ inputs: [{ name: 'a', shape: [1], datatype: 'FP64', data: [1] }, { name: 'a', shape: [1], datatype: 'FP64', data: [1] }] }, /given twice/],
    [{ inputs: [{ name: 'a', shape: [1], datatype: 'FP64', data: [1] }, { name: 'b', shape: [2], datatype: 'FP64', data: [1, 2] }] }, /one value per instance/],
    [{ inputs: [{ name: 'a', shape: [0], datatype: 'FP64', data: [] }] }, /at least one instance/],
    [{ inputs: [{ name: 'trip_distance', shape: [1], datatype: 'FP64', data: [1] }] }, /instance 0: missing feature "passengers"/],
    [{ ...inferBody, outputs: [{ name: 'logits' }] }, /no output "logits"/],
    [{ ...inferBody, id: 7 }, /"id" must be a string/],
  ])('rejects a bad infer request %#', async (body, message) => {
    const res = await post('/v2/models/taxi/infer', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(message);
  });

  it('caps the batch size of infer requests', async () => {
    const res = await post('/v2/models/taxi/infer', { inputs: [{ name: 'a', shape: [101], datatype: 'FP64', data: Array(101).fill(1) }] });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/at most 100/);
  });
});

describe('bad requests', () => {
  const cases: [string, () => ReturnType<typeof post>, number, RegExp][] = [
    ['wrong content type', () => post('/v1/models/taxi:predict', 'instances', { 'content-type': 'text/plain' }), 415, /Content-Type "text\/plain".*application\/json/],
    ['no content type', () => app.inject({ method: 'POST', url: '/v1/models/taxi:predict', payload: 'x' }), 415, /Content-Type/],
    ['invalid JSON', () => post('/v1/models/taxi:predict', '{"instances": [}'), 400, /not valid JSON/],
    ['empty body', () => post('/v1/models/taxi:predict', ''), 400, /body is empty/],
    ['no body at all', () => app.inject({ method: 'POST', url: '/v1/models/taxi:predict' }), 400, /must be a JSON object/],
    ['JSON that is not an object', () => post('/v1/models/taxi:predict', '[1,2]'), 400, /must be a JSON object.*got a list/],
    ['JSON null', () => post('/v1/models/taxi:predict', 'null'), 400, /must be a JSON object/],
    ['missing instances', () => post('/v1/models/taxi:predict', { rows: [] }), 400, /no "instances"/],
    ['instances not a list', () => post('/v1/models/taxi:predict', { instances: { a: 1 } }), 400, /"instances" must be a list/],
    ['empty instances', () => post('/v1/models/taxi:predict', { instances: [] }), 400, /"instances" is empty/],
    ['non-object instance', () => post('/v1/models/taxi:predict', { instances: [instance, 3] }), 400, /instances\[1\] is a number/],
    ['both formats', () => post('/v1/models/taxi:predict', { instances: [instance], inputs: {} }), 400, /not both/],
    ['ragged columns', () => post('/v1/models/taxi:predict', { inputs: { a: [1, 2], b: [1] } }), 400, /inputs\["b"\] has 1 values but "a" has 2/],
    ['column not a list', () => post('/v1/models/taxi:predict', { inputs: { a: 1 } }), 400, /inputs\["a"\] is a number/],
    ['empty columns', () => post('/v1/models/taxi:predict', { inputs: { a: [] } }), 400, /empty/],
    ['too many instances', () => post('/v1/models/taxi:predict', { instances: Array(101).fill(instance) }), 413, /101 instances but at most 100/],
    ['body too large', () => post('/v1/models/taxi:predict', { instances: [{ pad: 'x'.repeat(70_000) }] }), 413, /larger than the limit of 65536 bytes/],
    ['forbidden __proto__ key', () => post('/v1/models/taxi:predict', '{"instances":[{"__proto__":{"x":1}}]}'), 400, /reserved "__proto__"/],
    ['escaped __proto__ key', () => post('/v1/models/taxi:predict', '{"instances":[{"\\u005f_proto__":{"x":1}}]}'), 400, /reserved "__proto__"/],
    ['constructor.prototype', () => post('/v1/models/taxi:predict', '{"constructor":{"prototype":{"x":1}}}'), 400, /reserved "__proto__" or "constructor.prototype"/],
    ['unknown model', () => post('/v1/models/nope:predict', { instances: [instance] }), 404, /^model "nope" is not in the registry; check the name(?!.*(churn|draft|taxi))/],
    ['unknown version', () => post('/v1/models/taxi/versions/9:predict', { instances: [instance] }), 404, /no version 9 \(versions: 1, 2\)/],
    ['version not a number', () => post('/v1/models/taxi/versions/latest:predict', { instances: [instance] }), 400, /"latest" is not a version number/],
    ['unknown label', () => post('/v1/models/taxi/labels/canary:predict', { instances: [instance] }), 404, /no version labelled "canary"/],
    ['no production version', () => post('/v1/models/draft:predict', { instances: [instance] }), 404, /no production version yet.*mlops approve.*mlops promote draft/],
    ['path traversal name', () => post('/v1/models/%2E%2E%2Fx:predict', { instances: [instance] }), 400, /"\.\.\/x" is not a model name/],
    ['upper-case name', () => post('/v1/models/Taxi:predict', { instances: [instance] }), 400, /not a model name/],
    ['name with a colon', () => post('/v1/models/a:b:predict', { instances: [instance] }), 400, /not a model name/],
    ['string for a number', () => post('/v1/models/taxi:predict', { instances: [instance, { ...instance, passengers: 'two' }] }), 400, /instance 1: feature "passengers" is numeric and expects a number.*got the string "two"/],
    ['numeric string', () => post('/v1/models/taxi:predict', { instances: [{ ...instance, passengers: '2' }] }), 400, /send 2 without quotes/],
    ['NaN literal', () => post('/v1/models/taxi:predict', '{"instances":[{"trip_distance":NaN,"passengers":1,"PULocationID":"1"}]}'), 400, /not valid JSON/],
    ['"NaN" string', () => post('/v1/models/taxi:predict', { instances: [{ ...instance, trip_distance: 'NaN' }] }), 400, /feature "trip_distance" is numeric.*got the string "NaN"/],
    ['object for a category', () => post('/v1/models/taxi:predict', { instances: [{ ...instance, PULocationID: { id: 1 } }] }), 400, /feature "PULocationID" is categorical.*got an object/],
    ['missing feature', () => post('/v1/models/taxi:predict', { instances: [{ trip_distance: 1 }] }), 400, /instance 0: missing feature "passengers"; send every feature of the model \(null for a missing value\): trip_distance, passengers, PULocationID/],
    ['extra feature', () => post('/v1/models/taxi:predict', { instances: [{ ...instance, tip: 3 }] }), 400, /instance 0: unknown feature "tip"; the model's features are: trip_distance, passengers, PULocationID/],
    ['extra column', () => post('/v1/models/taxi:predict', { inputs: { trip_distance: [1], passengers: [1], PULocationID: ['1'], tip: [2] } }), 400, /unknown feature "tip"/],
    ['extra KServe input', () => post('/v2/models/taxi/infer', { inputs: [...['trip_distance', 'passengers', 'tip'].map((name) => ({ name, shape: [1], datatype: 'FP64', data: [1] as unknown[] })), { name: 'PULocationID', shape: [1], datatype: 'BYTES', data: ['1'] }] }), 400, /unknown feature "tip"/],
    ['100k instances', () => post('/v1/models/taxi:predict', JSON.stringify({ instances: Array(100_000).fill({}) })), 413, /at most 100 are allowed|larger than the limit/],
    ['unknown model on KServe', () => post('/v2/models/nope/infer', { inputs: [] }), 404, /"nope" is not in the registry/],
    ['path traversal on KServe', () => get('/v2/models/..%2F..%2Fetc/ready') as ReturnType<typeof post>, 400, /not a model name/],
    ['GET on :predict', () => get('/v1/models/taxi:predict') as ReturnType<typeof post>, 405, /predict with POST, not GET/],
    ['too long a name', () => post(`/v1/models/${'x'.repeat(101)}:predict`, { instances: [instance] }), 414, /longer than 100 characters/],
    ['unknown verb', () => post('/v1/models/taxi:classify', { instances: [instance] }), 404, /no route POST \/v1\/models\/taxi:classify/],
    ['unknown route', () => get('/v3/anything') as ReturnType<typeof post>, 404, /no route GET/],
    ['bad URL encoding', () => get('/v1/models/a%ZZ') as ReturnType<typeof post>, 400, /URL is not valid/],
  ];

  it.each(cases)('%s', async (_name, send, status, message) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().error).toMatch(message);
  });
});

describe('JSON bodies and request ids', () => {
  it('takes JSON with a charset or a byte-order mark, and "constructor" as a plain value', async () => {
    const body = JSON.stringify({ instances: [instance] });
    expect((await post('/v1/models/taxi:predict', body, { 'content-type': 'application/json; charset=utf-8' })).json()).toEqual({ predictions: [3.5] });
    expect((await post('/v1/models/taxi:predict', `\uFEFF${body}`)).json()).toEqual({ predictions: [3.5] });
    expect((await post('/v1/models/churn:predict', { instances: [{ ...instance, PULocationID: 'constructor' }] })).statusCode).toBe(200);
  });

  it('issues its own request ids; a safe client x-request-id is echoed only as x-client-request-id', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const reply = async (given?: string) => (await post('/v1/models/taxi:predict', { instances: [instance] }, given === undefined ? {} : { 'x-request-id': given })).headers;
    const kept = await reply('abc-123.x:y_z');
    expect(kept['x-request-id']).toMatch(uuid);
    expect(kept['x-client-request-id']).toBe('abc-123.x:y_z');
    for (const bad of ['a b', 'x'.repeat(129), '../../etc', '']) {
      const headers = await reply(bad);
      expect(headers['x-request-id']).toMatch(uuid);
      expect(headers['x-client-request-id']).toBeUndefined();
    }
    const fresh = await Promise.all([reply(), reply(), reply('same'), reply('same')]);
    expect(new Set(fresh.map((h) => h['x-request-id'])).size).toBe(4);
    // Error replies carry one too.
    expect((await post('/v1/models/nope:predict', { instances: [instance] }, { 'x-request-id': 'err-1' })).headers['x-request-id']).toMatch(uuid);
  });
});

describe('/metrics', () => {
  it('exports request counters, latency, errors and served versions', async () => {
    await post('/v1/models/taxi:predict', { instances: [instance] });
    await post('/v1/models/nope:predict', { instances: [instance] });
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/mlops_serving_requests_total\{route="\/v1\/models\/:name:predict",model="taxi",status="200"\} \d+/);
    expect(text).toMatch(/mlops_serving_requests_total\{route="\/v1\/models\/:name:predict",model="",status="404"\} \d+/);
    expect(text).toMatch(/mlops_serving_request_duration_seconds_bucket\{le="0\.005",route="\/v1\/models\/:name:predict",model="taxi"\}/);
    expect(text).toMatch(/mlops_serving_errors_total\{route="\/v1\/models\/:name:predict",model="",status="404",kind="ModelNotFound"\} \d+/);
    expect(text).toMatch(/mlops_serving_predictions_total\{model="taxi",version="1"\} \d+/);
    expect(text).toMatch(/mlops_serving_model_version\{model="taxi",alias="production"\} 1/);
  });
});

describe('default limits', () => {
  it('413s 100k instances and bodies over 10 MiB, and keeps serving', async () => {
    const plain = buildServer(serverOptions(fx));
    const send = (payload: string) => plain.inject({ method: 'POST', url: '/v1/models/taxi:predict', payload, headers: { 'content-type': 'application/json' } });
    const many = await send(JSON.stringify({ instances: Array(100_000).fill({}) }));
    expect(many.statusCode).toBe(413);
    expect(many.json().error).toMatch(/100000 instances but at most 10000 are allowed per request: split it/);
    const huge = await send(JSON.stringify({ instances: [{ pad: 'x'.repeat(11 * 1024 * 1024) }] }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toMatch(/larger than the limit of 10485760 bytes/);
    expect((await send(JSON.stringify({ instances: [instance] }))).statusCode).toBe(200);
    await plain.close();
  });
});

describe('buildServer options', () => {
  it('rejects invalid limits once, at build time', () => {
    const base = { registry: fx.registry, loadPredictor: fx.loadPredictor };
    expect(() => buildServer({ ...base, bodyLimit: 0 })).toThrow(/bodyLimit/);
    expect(() => buildServer({ ...base, maxInstances: 1.5 })).toThrow(/maxInstances/);
    expect(() => buildServer({ ...base, pollMs: -1 })).toThrow(/pollMs/);
    expect(() => buildServer({ ...base, batching: { maxBatchSize: 0 } })).toThrow(/maxBatchSize/);
  });
});
