/**
 * The registry on PostgreSQL (`MLOPS_REGISTRY=postgres://user:password@host:port/database`),
 * for hosts that share no disk. Each model is one row of `mlops_models` holding the document
 * the file registry keeps; a change is one transaction that locks the row (`SELECT … FOR
 * UPDATE`), so writers on any host queue instead of overwriting each other, and a failure
 * (a rule's throw, PostgreSQL going away) rolls everything back. Alias moves send a `NOTIFY`
 * in the same transaction, which {@link PostgresModelRegistry.watch} follows.
 *
 * The tables and views (./postgres-schema.ts) are created on first use.
 */
import pg from 'pg';
import { MlopsError } from '../errors.js';
import { checkModelName, ModelRegistry, type InferenceSegment, type RegisteredModel, type SegmentQuery } from './model-registry.js';
import { describeDatabase, registryError } from './postgres-errors.js';
import type { MonitorCheckRecord, RunQuery, RunRecord } from './run-record.js';
import { registryChannel, schemaLockKey, schemaObjects, schemaSql } from './postgres-schema.js';
import { followChannel } from './postgres-watch.js';

/** Tuning of the connection pool; the defaults suit a CLI, a worker or a model server. */
export interface PostgresRegistryOptions {
  /** Most connections held at once (default 4): writes to one model queue on its row anyway. */
  readonly maxConnections?: number;
  /** How long to wait for a connection before reporting RegistryUnavailable (default 5000). */
  readonly connectTimeoutMs?: number;
}

interface SegmentRow {
  model: string;
  kind: InferenceSegment['kind'];
  artifact: InferenceSegment['artifact'];
  rows: number;
  first_at: Date;
  last_at: Date;
  writer: string | null;
}

export class PostgresModelRegistry extends ModelRegistry {
  private readonly pool: pg.Pool;
  /** `host:port/database`, never the password: what messages name. */
  private readonly where: string;
  private schema: Promise<void> | undefined;
  private readonly watchers = new Set<() => Promise<void>>();
  private closed: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    options: PostgresRegistryOptions = {},
  ) {
    super();
    this.where = describeDatabase(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 10_000,
      // A CLI command exits when its work is done, without having to close the registry.
      allowExitOnIdle: true,
      keepAlive: true,
    });
    // An idle connection whose server went away reports here; the pool drops it and the next
    // query opens a new one (or reports RegistryUnavailable).
    this.pool.on('error', () => {});
  }

  async listModels(): Promise<string[]> {
    const { rows } = await this.query<{ name: string }>('SELECT name FROM mlops_models ORDER BY name COLLATE "C"');
    return rows.map((r) => r.name);
  }

  async getModel(name: string): Promise<RegisteredModel | undefined> {
    checkModelName(name);
    const { rows } = await this.query<{ doc: RegisteredModel }>('SELECT doc FROM mlops_models WHERE name = $1', [name]);
    return rows[0]?.doc;
  }

  async addInferenceSegment(segment: InferenceSegment): Promise<void> {
    checkModelName(segment.model);
    for (const time of [segment.firstAt, segment.lastAt]) checkTime(time, 'segment time');
    await this.query(
      `INSERT INTO mlops_inference_segments (model, kind, sha256, artifact, "rows", first_at, last_at, writer)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [segment.model, segment.kind, segment.artifact.sha256, segment.artifact, segment.rows, segment.firstAt, segment.lastAt, segment.writer ?? null],
    );
  }

  async listInferenceSegments(model: string, query: SegmentQuery = {}): Promise<InferenceSegment[]> {
    checkModelName(model);
    if (query.since !== undefined) checkTime(query.since, '"since"');
    const { rows } = await this.query<SegmentRow>(
      `SELECT model, kind, artifact, "rows", first_at, last_at, writer FROM mlops_inference_segments
       WHERE model = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::timestamptz IS NULL OR last_at >= $3)
       ORDER BY first_at, last_at, sha256`,
      [model, query.kind ?? null, query.since ?? null],
    );
    return rows.map((r) => ({
      model: r.model,
      kind: r.kind,
      artifact: r.artifact,
      rows: r.rows,
      firstAt: r.first_at.toISOString(),
      lastAt: r.last_at.toISOString(),
      ...(r.writer === null ? {} : { writer: r.writer }),
    }));
  }

  /**
   * Calls `listener` with a model's name soon after its aliases move, from any process, and
   * with every model's name after a lost connection comes back. Holds one connection (and
   * keeps the process alive) until the returned function or {@link close} is called.
   */
  override async watch(listener: (model: string) => void): Promise<() => Promise<void>> {
    await this.ready();
    const stop = await followChannel({
      url: this.url,
      where: this.where,
      channel: registryChannel,
      onMessage: listener,
      catchUp: async (client) => (await client.query<{ name: string }>('SELECT name FROM mlops_models')).rows.map((r) => r.name),
    });
    const unsubscribe = async () => {
      this.watchers.delete(unsubscribe);
      await stop();
    };
    this.watchers.add(unsubscribe);
    return unsubscribe;
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    if (query.model !== undefined) checkModelName(query.model);
    const { rows } = await this.query<{ doc: RunRecord }>(
      `SELECT doc FROM mlops_runs
       WHERE ($1::text IS NULL OR model = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR outcome = $3)
         AND ($4::text IS NULL OR parent_workflow_id = $4)
       ORDER BY started_at DESC, id COLLATE "C" LIMIT $5`,
      [query.model ?? null, query.kind ?? null, query.outcome ?? null, query.parentWorkflowId ?? null, query.limit ?? null],
    );
    return rows.map((r) => r.doc);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.query<{ doc: RunRecord }>('SELECT doc FROM mlops_runs WHERE id = $1', [id]);
    return rows[0]?.doc;
  }

  async listMonitorChecks(model: string, query: { readonly limit?: number } = {}): Promise<MonitorCheckRecord[]> {
    checkModelName(model);
    const { rows } = await this.query<{ doc: MonitorCheckRecord }>(
      'SELECT doc FROM (SELECT doc, at FROM mlops_monitor_checks WHERE model = $1 ORDER BY at DESC LIMIT $2) newest ORDER BY at',
      [model, query.limit ?? null],
    );
    return rows.map((r) => r.doc);
  }

  protected async writeRun(run: RunRecord): Promise<void> {
    await this.query(
      `INSERT INTO mlops_runs (id, model, kind, outcome, parent_workflow_id, started_at, ended_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET model = $2, kind = $3, outcome = $4, parent_workflow_id = $5, started_at = $6, ended_at = $7, doc = $8`,
      [run.id, run.model, run.kind, run.outcome, run.parentWorkflowId ?? null, run.startedAt, run.endedAt ?? null, run],
    );
  }

  protected async writeMonitorCheck(check: MonitorCheckRecord): Promise<void> {
    await this.query('INSERT INTO mlops_monitor_checks (model, workflow_id, run_id, at, doc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      check.model,
      check.workflowId,
      check.runId,
      check.at,
      check,
    ]);
  }

  override close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.watchers].map((stop) => stop()));
      await this.pool.end();
    })();
    return this.closed;
  }

  protected async update<T>(name: string, change: (model: RegisteredModel) => T): Promise<T> {
    checkModelName(name);
    return this.transaction(async (client) => {
      const empty: RegisteredModel = { name, versions: [], aliases: {}, history: [] };
      await client.query('INSERT INTO mlops_models (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, empty]);
      const { rows } = await client.query<{ doc: RegisteredModel }>('SELECT doc FROM mlops_models WHERE name = $1 FOR UPDATE', [name]);
      const model = rows[0]!.doc;
      const aliasesBefore = JSON.stringify(model.aliases);
      const result = change(model);
      await client.query('UPDATE mlops_models SET doc = $2, updated_at = now() WHERE name = $1', [name, model]);
      // Delivered on commit only, so a follower never sees a move that was rolled back.
      if (JSON.stringify(model.aliases) !== aliasesBefore) await client.query('SELECT pg_notify($1, $2)', [registryChannel, name]);
      return result;
    });
  }

  private async query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    await this.ready();
    return this.pool.query<R>(sql, values).catch((err: unknown) => {
      throw registryError(err, this.where);
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    return this.inTransaction(work);
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw registryError(err, this.where);
    });
    // A connection lost mid-transaction fails the running query and also emits 'error', which
    // the pool only handles for idle connections.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.removeListener('error', ignore);
      client.release();
      return result;
    } catch (err) {
      // A connection that cannot even roll back is broken: destroy it rather than reuse it.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      client.removeListener('error', ignore);
      client.release(!rolledBack);
      throw registryError(err, this.where);
    }
  }

  /**
   * Creates the tables and views unless they all exist (so a role that may only read and write
   * rows works once an owner has created them); checked once per instance, and again after a
   * failure.
   */
  private ready(): Promise<void> {
    this.schema ??= this.inTransaction(async (client) => {
      const { rows } = await client.query<{ missing: number }>('SELECT count(*)::int AS missing FROM unnest($1::text[]) AS o(name) WHERE to_regclass(o.name) IS NULL', [schemaObjects]);
      if (rows[0]!.missing === 0) return;
      // Two processes starting at once would otherwise race CREATE … IF NOT EXISTS.
      await client.query('SELECT pg_advisory_xact_lock($1)', [schemaLockKey]);
      await client.query(schemaSql);
    }).catch((err: unknown) => {
      this.schema = undefined;
      throw err;
    });
    return this.schema;
  }
}

function checkTime(value: string, what: string): void {
  if (Number.isNaN(Date.parse(value))) throw new MlopsError('BadRequest', `${what} "${value}" is not an ISO-8601 time (e.g. 2024-05-01T12:00:00Z)`);
}
