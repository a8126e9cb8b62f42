/**
 * The fast lane: the prediction routes served straight from node:http, in front of fastify.
 *
 * Fastify's per-request machinery (request and reply objects, hook runners, content-type
 * negotiation) costs about as much CPU as node:http itself, and for a small model that is most
 * of a prediction. So the server's `http.Server` first offers each request to this lane, which
 * takes only the plain case — `POST` to a prediction route with a well-formed path, no query
 * string, `Content-Type: application/json` (optionally `; charset=utf-8`), a `Content-Length`
 * within the body limit, no transfer encoding, and a valid token if auth is on — and runs the
 * very handlers fastify runs (`tfPredict`, `kserveInfer`) with the same JSON parser
 * (./json-body.ts), request ids, error replies and metrics. Anything else goes to fastify
 * unchanged, which answers it (including every 4xx about content types, lengths, tokens and
 * paths). test/unit/serving/fast-lane.test.ts checks that both paths answer alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
// Imported rather than the global, which Node.js defines as a getter that runs on every use.
import { performance } from 'node:perf_hooks';
import type { Call, ModelParams, ReplyCallback, ServingContext } from './context.js';
import { parseJsonBody } from './json-body.js';
import { kserveInfer } from './routes-kserve-v2.js';
import { tfPredict } from './routes-tf-serving.js';

/** What the lane needs from the server it fronts. */
export interface FastLaneDeps {
  readonly ctx: ServingContext;
  readonly bodyLimit: number;
  /** The bearer-token check; absent when auth is off. */
  readonly isAuthorized?: (authorization: string | undefined) => boolean;
  /** The request's id, from the client's `x-request-id` when it is usable. */
  readonly requestId: (given: unknown) => string;
  /** True once the server is shutting down (replies then close their connection). */
  readonly closing: () => boolean;
  /** Runs the predictions the lane's requests queued (dynamic batching), once a turn's requests are read. */
  readonly runBatches: () => void;
  /** Maps an error to the status and message of the reply, counting and logging it like fastify's error handler. */
  readonly errorReply: (err: unknown, route: string, call: Call, req: IncomingMessage) => { status: number; message: string };
}

/** A lane's reply: the body, and the model version for `x-model-version` (TF-Serving routes). */
interface LaneReply {
  readonly body: unknown;
  readonly version?: number;
}

interface Lane {
  /** The route pattern, as fastify's metrics label it. */
  readonly route: string;
  readonly params: ModelParams;
  handle(ctx: ServingContext, call: Call, params: ModelParams, body: unknown, done: ReplyCallback<LaneReply>): void;
}

const name = '([a-z0-9][a-z0-9-]{0,99})';
const tfPath = new RegExp(`^/v1/models/${name}(?:/versions/([1-9][0-9]{0,9})|/labels/([A-Za-z][A-Za-z0-9_.-]{0,62}))?:predict$`);
const kservePath = new RegExp(`^/v2/models/${name}(?:/versions/([1-9][0-9]{0,9}))?/infer$`);
const jsonType = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;

const tfLane: Lane['handle'] = tfPredict;
const kserveLane: Lane['handle'] = (ctx, call, params, body, done) => kserveInfer(ctx, call, params, body, (err, reply) => done(err, reply && { body: reply }));

/** The lane of a prediction URL, or undefined for any other URL. */
function laneFor(url: string): Lane | undefined {
  let m = tfPath.exec(url);
  if (m) {
    const [, n, version, alias] = m as unknown as [string, string, string?, string?];
    const route = version !== undefined ? '/v1/models/:name/versions/:version:predict' : alias !== undefined ? '/v1/models/:name/labels/:alias:predict' : '/v1/models/:name:predict';
    return { route, params: { name: n, version, alias }, handle: tfLane };
  }
  m = kservePath.exec(url);
  if (m) {
    const [, n, version] = m as unknown as [string, string, string?];
    return { route: version !== undefined ? '/v2/models/:name/versions/:version/infer' : '/v2/models/:name/infer', params: { name: n, version }, handle: kserveLane };
  }
  return undefined;
}

/**
 * The plain case only; anything unusual is fastify's to answer. The headers come from
 * `req.headers`, which node:http builds for every HTTP/1.1 request anyway (it checks `host` and
 * `expect`), and which fastify reads too: a header sent twice reads the same on both paths.
 */
function accepts(req: IncomingMessage, deps: FastLaneDeps): boolean {
  if (req.method !== 'POST') return false;
  const { 'content-type': contentType, 'content-length': contentLength, 'transfer-encoding': transferEncoding } = req.headers;
  return (
    contentType !== undefined &&
    (contentType === 'application/json' || jsonType.test(contentType)) &&
    contentLength !== undefined &&
    transferEncoding === undefined &&
    /^[0-9]{1,10}$/.test(contentLength) &&
    Number(contentLength) <= deps.bodyLimit &&
    (deps.isAuthorized === undefined || deps.isAuthorized(req.headers.authorization))
  );
}

/** Lanes are kept per URL (clients send the same few URLs), up to this many. */
const maxCachedUrls = 1024;

/** A request handler that serves the plain case and returns true, or returns false to pass the request on. */
export function createFastLane(deps: FastLaneDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const lanes = new Map<string, Lane>();
  // Requests that arrived in this turn of the event loop, read together once it has read them all.
  let arrived: LaneRequest[] = [];
  const readArrived = (): void => {
    const requests = arrived;
    arrived = [];
    for (const request of requests) request.readBuffered();
    deps.runBatches();
  };
  return (req, res) => {
    const url = req.url ?? '';
    if (url.charCodeAt(1) !== 118 /* v */ || !accepts(req, deps)) return false;
    let lane = lanes.get(url);
    if (!lane) {
      lane = laneFor(url);
      if (!lane) return false;
      if (lanes.size < maxCachedUrls) lanes.set(url, lane);
    }
    if (arrived.push(new LaneRequest(req, res, lane, deps)) === 1) setImmediate(readArrived);
    return true;
  };
}

/**
 * One request in the lane. A class rather than closures: this runs for every prediction, and
 * named inner functions would each cost a property definition per request under tsx (which
 * keeps function names).
 */
class LaneRequest {
  private readonly started = performance.now();
  private readonly call: Call;
  private readonly chunks: Buffer[] = [];
  private readonly length: number;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly lane: Lane,
    private readonly deps: FastLaneDeps,
  ) {
    this.length = Number(req.headers['content-length']);
    // Every field up front, so all calls share one object shape.
    this.call = { id: deps.requestId(req.headers['x-request-id']), model: undefined, alias: undefined };
  }

  /**
   * Reads the body: at once when it came with the headers (the usual case), else as it
   * arrives. Called after the event loop's poll phase: by then the parser has pushed a body
   * that came in the same read as its headers, and one read() takes it without stream
   * listeners and events.
   */
  readBuffered(): void {
    const { req } = this;
    if (req.complete) {
      const body = req.read() as Buffer | null;
      if (body) this.chunks.push(body);
      this.received();
      return;
    }
    req.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    req.on('error', () => this.res.destroy());
    req.on('end', () => this.received());
  }

  private received(): void {
    let body: unknown;
    try {
      body = parseBody(this.chunks, this.length);
    } catch (err) {
      return this.fail(err);
    }
    this.lane.handle(this.deps.ctx, this.call, this.lane.params, body, (err, reply) => (err === undefined ? this.send(200, reply!.body, reply!.version) : this.fail(err)));
  }

  private fail(err: unknown): void {
    const { status, message } = this.deps.errorReply(err, this.lane.route, this.call, this.req);
    this.send(status, { error: message });
  }

  private send(status: number, payload: unknown, version?: number): void {
    const text = JSON.stringify(payload);
    // A flat [name, value, …] list: node:http takes it without walking an object's keys.
    const headers: (string | number)[] = ['content-type', 'application/json; charset=utf-8', 'content-length', Buffer.byteLength(text), 'x-request-id', this.call.id];
    if (version !== undefined) headers.push('x-model-version', version);
    if (this.deps.closing()) headers.push('connection', 'close');
    this.res.writeHead(status, headers as unknown as string[]).end(text);
    this.deps.ctx.metrics.observeRequest(this.lane.route, this.call.model ?? '', status, (performance.now() - this.started) / 1000);
  }
}

/** The body as fastify would parse it (the same parser, ./json-body.ts), or the error it would raise. */
function parseBody(chunks: readonly Buffer[], length: number): unknown {
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (raw.length !== length) throw Object.assign(new Error('content length mismatch'), { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 });
  return parseJsonBody(raw.toString('utf8'));
}
