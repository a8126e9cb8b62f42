/**
 * The fast lane answers exactly as fastify would: the same requests, good and bad, sent over
 * real HTTP (where the lane takes the plain ones) and through fastify's inject() (which never
 * uses the lane) get the same status, body and headers. And the lane takes only plain requests.
 */
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServingContext } from '../../../src/serving/context.js';
import { createFastLane } from '../../../src/serving/fast-lane.js';
import { startServer, type RunningServer } from '../../../src/serving/server.js';
import { addServingModels, createFixture, instance, serverOptions, sleep, type Fixture } from './helpers.js';

const token = 'lane-token-123';
const json = { 'content-type': 'application/json' };
const auth = { authorization: `Bearer ${token}` };
const infer = (data: unknown[]) => ({
  inputs: [
    { name: 'trip_distance', shape: [data.length], datatype: 'FP64', data },
    { name: 'passengers', shape: [data.length], datatype: 'FP64', data: data.map(() => 1) },
    { name: 'PULocationID', shape: [data.length], datatype: 'BYTES', data: data.map(() => '1') },
  ],
});

const cases: [string, string, string | object, Record<string, string>][] = [
  ['predict', '/v1/models/taxi:predict', { instances: [instance] }, {}],
  ['predict, charset', '/v1/models/taxi:predict', { instances: [instance, instance] }, { 'content-type': 'application/json; charset=utf-8' }],
  ['predict a version', '/v1/models/taxi/versions/2:predict', { instances: [instance] }, {}],
  ['predict a label', '/v1/models/taxi/labels/staging:predict', { inputs: { trip_distance: [1], passengers: [1], PULocationID: ['1'] } }, {}],
  ['classify', '/v1/models/churn:predict', { instances: [instance] }, {}],
  ['infer', '/v2/models/taxi/infer', infer([1, 2]), {}],
  ['infer a version', '/v2/models/taxi/versions/2/infer', { ...infer([3]), id: 'mine' }, {}],
  ['client request id', '/v1/models/taxi:predict', { instances: [instance] }, { 'x-request-id': 'abc-123' }],
  ['invalid JSON', '/v1/models/taxi:predict', '{"instances": [', {}],
  ['empty body', '/v1/models/taxi:predict', '', {}],
  ['__proto__ key', '/v1/models/taxi:predict', '{"instances":[{"__proto__":{"x":1}}]}', {}],
  ['constructor.prototype', '/v1/models/taxi:predict', '{"constructor":{"prototype":{"x":1}}}', {}],
  ['escaped __proto__ key', '/v1/models/taxi:predict', '{"instances":[{"\\u005f_proto__":{"x":1}}]}', {}],
  ['escaped constructor key', '/v1/models/taxi:predict', '{"\\u0063onstructor":{"prototype":{"x":1}}}', {}],
  ['"constructor" as a value', '/v1/models/taxi:predict', { instances: [{ ...instance, PULocationID: 'constructor' }] }, {}],
  ['byte-order mark', '/v1/models/taxi:predict', `\uFEFF${JSON.stringify({ instances: [instance] })}`, {}],
  ['not an object', '/v1/models/taxi:predict', '[1]', {}],
  ['bad instance', '/v1/models/taxi:predict', { instances: [{ ...instance, passengers: 'two' }] }, {}],
  ['extra feature', '/v1/models/taxi:predict', { instances: [{ ...instance, x: 1 }] }, {}],
  ['too many', '/v1/models/taxi:predict', { instances: Array(101).fill(instance) }, {}],
  ['unknown model', '/v1/models/nope:predict', { instances: [instance] }, {}],
  ['unknown version', '/v2/models/taxi/versions/9/infer', infer([1]), {}],
  ['unknown label', '/v1/models/taxi/labels/canary:predict', { instances: [instance] }, {}],
  ['no production', '/v1/models/draft:predict', { instances: [instance] }, {}],
  ['bad infer', '/v2/models/taxi/infer', { inputs: [{ name: 'a', shape: [1], datatype: 'FP64', data: ['x'] }] }, {}],
  // Not plain: fastify answers these over HTTP too.
  ['wrong content type', '/v1/models/taxi:predict', { instances: [instance] }, { 'content-type': 'text/plain' }],
  ['encoded name', '/v1/models/%2E%2E%2Fx:predict', { instances: [instance] }, {}],
  ['query string', '/v1/models/taxi:predict?x=1', { instances: [instance] }, {}],
  ['upper-case name', '/v1/models/Taxi:predict', { instances: [instance] }, {}],
  ['body over the limit', '/v1/models/taxi:predict', { instances: [{ pad: 'x'.repeat(70_000) }] }, {}],
  ['no token', '/v1/models/taxi:predict', { instances: [instance] }, { authorization: '' }],
  ['wrong token', '/v1/models/taxi:predict', { instances: [instance] }, { authorization: 'Bearer nope' }],
];

describe('fast lane', () => {
  let fx: Fixture;
  let server: RunningServer;

  beforeAll(async () => {
    fx = await createFixture();
    await addServingModels(fx);
    server = await startServer({
      ...serverOptions(fx),
      port: 0,
      bodyLimit: 64 * 1024,
      maxInstances: 100,
      token,
      inferenceLog: { dir: path.join(fx.dir, 'inference') },
    });
  });
  afterAll(async () => {
    await server.close();
    await fx.cleanup();
  });

  const normalize = (text: string, id: string | undefined) => (id ? text.replaceAll(id, '<id>') : text);

  /** A keep-alive connection written byte by byte; `replies(n, last)` waits for n 200s, the last ending in `last`, and returns the bodies. */
  const rawConnection = async () => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.setEncoding('utf8');
    let received = '';
    socket.on('data', (chunk: string) => (received += chunk));
    const replies = async (n: number, last: string): Promise<string[]> => {
      const deadline = Date.now() + 5000;
      while ((received.match(/HTTP\/1\.1 200/g) ?? []).length < n || !received.endsWith(last)) {
        if (Date.now() > deadline) throw new Error(`no ${n} replies in time: ${received}`);
        await sleep(30);
      }
      socket.destroy();
      return received.split(/\r\n\r\n/).filter((part) => part.startsWith('{'));
    };
    return { socket, replies, received: () => received };
  };

  it.each(cases)('answers "%s" as fastify does', async (_name, url, body, headers) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const all = { ...json, ...auth, ...headers };
    const sent = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== ''));
    const viaHttp = await fetch(`${server.url}${url}`, { method: 'POST', headers: sent, body: payload });
    const httpBody = await viaHttp.text();
    const viaFastify = await server.app.inject({ method: 'POST', url, headers: sent, payload });
    const httpId = viaHttp.headers.get('x-request-id') ?? undefined;
    expect(httpId).toBeTruthy();
    expect(viaHttp.status).toBe(viaFastify.statusCode);
    expect(normalize(httpBody, httpId)).toBe(normalize(viaFastify.body, viaFastify.headers['x-request-id'] as string));
    for (const h of ['content-type', 'x-model-version']) expect(viaHttp.headers.get(h) ?? undefined, h).toBe(viaFastify.headers[h]);
  });

  it('reads a body that arrives after its headers, in pieces, and keeps the connection (header names in any case)', async () => {
    const body = JSON.stringify({ instances: [instance] });
    const expected = await (await fetch(`${server.url}/v1/models/taxi:predict`, { method: 'POST', headers: { ...json, ...auth }, body })).text();
    const raw = await rawConnection();
    const head = `POST /v1/models/taxi:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\n\r\n`;
    // Headers alone, then the body in two writes: the lane cannot read it at once.
    raw.socket.write(head);
    await sleep(30);
    raw.socket.write(body.slice(0, 10));
    await sleep(30);
    raw.socket.write(body.slice(10));
    // Then the usual case on the same connection: headers and body in one write.
    await sleep(30);
    raw.socket.write(head + body);
    const bodies = await raw.replies(2, expected);
    expect(bodies.map((b) => b.slice(0, expected.length))).toEqual([expected, expected]);
  });

  it('reads a header sent twice as node:http merges it, as fastify does', async () => {
    const body = JSON.stringify({ instances: [instance] });
    const expected = await (await fetch(`${server.url}/v1/models/taxi:predict`, { method: 'POST', headers: { ...json, ...auth }, body })).text();
    const raw = await rawConnection();
    // The first content type counts; two request ids join into "abc, abc", which is no usable id.
    raw.socket.write(
      `POST /v1/models/taxi:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nX-Request-Id: abc\r\nX-Request-Id: abc\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const [reply] = await raw.replies(1, expected);
    expect(reply!.slice(0, expected.length)).toBe(expected);
    expect(raw.received()).toMatch(/\r\nx-request-id: [0-9a-f]{8}-[0-9a-f]{4}-4/i);
  });

  it('counts lane requests in the same metrics as fastify requests', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/mlops_serving_requests_total\{route="\/v1\/models\/:name:predict",model="taxi",status="200"\} (?:[2-9]|[1-9]\d+)\n/);
    expect(metrics).toMatch(/mlops_serving_requests_total\{route="\/v2\/models\/:name\/versions\/:version\/infer",model="taxi",status="200"\} 2/);
    expect(metrics).toMatch(/mlops_serving_errors_total\{route="\/v1\/models\/:name:predict",model="taxi",status="400",kind="http_400"\} [2-9]/);
  });

  it('takes only plain prediction requests', () => {
    const lane = createFastLane({
      ctx: { maxInstances: 10 } as unknown as ServingContext,
      bodyLimit: 100,
      isAuthorized: (h) => h === 'Bearer ok',
      requestId: () => 'id',
      closing: () => false,
      runBatches: () => {},
      errorReply: () => ({ status: 500, message: 'x' }),
    });
    // The headers as node:http hands them over: names in lower case, a repeated header merged.
    const takes = (method: string, url: string, headers: Record<string, string>) => {
      const req = Object.assign(new EventEmitter(), { method, url, headers }) as unknown as IncomingMessage;
      return lane(req, {} as ServerResponse);
    };
    const plain = { 'content-type': 'application/json', 'content-length': '10', authorization: 'Bearer ok' };
    expect(takes('POST', '/v1/models/taxi:predict', plain)).toBe(true);
    expect(takes('POST', '/v1/models/taxi/versions/3:predict', plain)).toBe(true);
    expect(takes('POST', '/v1/models/taxi/labels/canary:predict', plain)).toBe(true);
    expect(takes('POST', '/v2/models/taxi/infer', plain)).toBe(true);
    expect(takes('POST', '/v2/models/taxi/versions/3/infer', plain)).toBe(true);
    expect(takes('GET', '/v1/models/taxi:predict', plain)).toBe(false);
    expect(takes('POST', '/v1/models/taxi:feedback', plain)).toBe(false);
    expect(takes('POST', '/v1/models/taxi:predict?x', plain)).toBe(false);
    expect(takes('POST', '/v1/models/taxi/versions/0:predict', plain)).toBe(false);
    expect(takes('POST', '/v1/models/taxi:predict', { ...plain, 'content-type': 'application/json; charset=latin1' })).toBe(false);
    expect(takes('POST', '/v1/models/taxi:predict', { ...plain, 'content-length': '101' })).toBe(false);
    expect(takes('POST', '/v1/models/taxi:predict', { ...plain, 'transfer-encoding': 'chunked' })).toBe(false);
    expect(takes('POST', '/v1/models/taxi:predict', { ...plain, authorization: 'Bearer no' })).toBe(false);
    const { 'content-length': _, ...noLength } = plain;
    expect(takes('POST', '/v1/models/taxi:predict', noLength)).toBe(false);
  });
});
