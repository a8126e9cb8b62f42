/**
 * The registry on a real PostgreSQL 15 started by the test: the shared contract, two writer
 * processes racing, schema creation by two processes at once, SQL views, LISTEN/NOTIFY,
 * outages (stop, kill -9 mid-transaction) and the CLI reading it through MLOPS_REGISTRY.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { MlopsError } from '../../src/errors.js';
import { PostgresModelRegistry } from '../../src/registry/postgres-registry.js';
import { postgresSkipReason, startPostgres, type PostgresService } from '../services/postgres.js';
import { describeRegistryContract, version } from '../unit/registry/registry-contract.js';
import { raceTwoWriters } from '../unit/registry/two-writers.js';
import { runMlops } from './run-mlops.js';
import { buildServer } from '../../src/serving/server.js';
import { createFixture, instance, serverOptions, sleep } from '../unit/serving/helpers.js';

let server: PostgresService;
let databases = 0;
/** A fresh, empty database on the test server. */
const freshDatabase = () => server.database(`registry_${++databases}`);

// CI installs PostgreSQL (.ci/run): there a missing server is a failure, never a skip.
const suite = postgresSkipReason && !process.env.CI ? describe.skip : describe;
if (postgresSkipReason) console.warn(`postgres-registry tests skipped: ${postgresSkipReason}`);

suite('PostgresModelRegistry', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => server?.dispose());

  describeRegistryContract('PostgreSQL', async () => new PostgresModelRegistry(await freshDatabase()));

  it('gives two racing writer processes unique, consecutive version numbers', async () => {
    await raceTwoWriters(await freshDatabase());
  });

  it('creates the schema once when several processes start at the same moment, and offers read-only views', async () => {
    const url = await freshDatabase();
    const registries = Array.from({ length: 4 }, () => new PostgresModelRegistry(url));
    try {
      await Promise.all(registries.map((r, i) => r.registerVersion('m', { ...version(`k${i}`), tags: { lane: String(i) } })));
      await registries[0]!.setAlias('m', 'production', 2, { actor: 'ana', reason: 'best' });
      await registries[1]!.setAlias('m', 'production', 4, { actor: 'ci', action: 'deploy' });
      const sql = await connect(url);
      try {
        const versions = await sql.query('SELECT model, version, tags, bundle_sha256, idempotency_key FROM mlops_model_versions ORDER BY version');
        expect(versions.rows.map((r) => r.version)).toEqual([1, 2, 3, 4]);
        expect(versions.rows[0]).toMatchObject({ model: 'm', bundle_sha256: version('x').bundle.sha256 });
        const aliases = await sql.query('SELECT model, alias, version FROM mlops_aliases');
        expect(aliases.rows).toEqual([{ model: 'm', alias: 'production', version: 4 }]);
        const history = await sql.query('SELECT alias, from_version, to_version, action, actor, reason FROM mlops_alias_history ORDER BY seq');
        expect(history.rows).toEqual([
          { alias: 'production', from_version: null, to_version: 2, action: 'promote', actor: 'ana', reason: 'best' },
          { alias: 'production', from_version: 2, to_version: 4, action: 'deploy', actor: 'ci', reason: null },
        ]);
        await expect(sql.query("UPDATE mlops_aliases SET version = 1 WHERE alias = 'production'")).rejects.toThrow(/cannot update view/);
      } finally {
        await sql.end();
      }
    } finally {
      await Promise.all(registries.map((r) => r.close()));
    }
  });

  it('notifies watchers in other processes when an alias moves, and keeps following across a crash', async () => {
    const url = await freshDatabase();
    const follower = new PostgresModelRegistry(url);
    const writer = new PostgresModelRegistry(url);
    try {
      const seen: string[] = [];
      const stop = await follower.watch((model) => seen.push(model));
      await writer.registerVersion('m', version('a'));
      await writer.registerVersion('m', version('b'));
      await writer.setAlias('m', 'production', 1, 'ana');
      await vi.waitFor(() => expect(seen).toEqual(['m']), { timeout: 5_000 });
      // Notifications arrive in commit order, so the versions (no alias change) sent none.
      await writer.setTags('m', 1, { ok: 'yes' });
      await writer.setAlias('m', 'production', 2, 'ana');
      await vi.waitFor(() => expect(seen).toEqual(['m', 'm']), { timeout: 5_000 });

      await server.kill();
      await server.restart();
      await writer.registerVersion('other', version('c'));
      await writer.setAlias('other', 'staging', 1, 'ana');
      await vi.waitFor(() => expect(seen).toContain('other'), { timeout: 15_000 });

      await stop();
      const count = seen.length;
      await writer.setAlias('other', 'staging', 1, 'ana');
      await writer.removeAlias('other', 'staging', 'ana');
      await writer.getModel('other');
      expect(seen).toHaveLength(count);
    } finally {
      await Promise.all([follower.close(), writer.close()]);
    }
  });

  it('reports a stopped server as RegistryUnavailable, naming host and port but never the password, and recovers', async () => {
    const url = await freshDatabase();
    const registry = new PostgresModelRegistry(url);
    try {
      await registry.registerVersion('m', version('before'));
      await server.stop();
      const down = await registry.registerVersion('m', version('during')).catch((err: unknown) => err);
      expect(down).toBeInstanceOf(MlopsError);
      expect(down).toMatchObject({ type: 'RegistryUnavailable', retryable: true });
      const { message } = down as MlopsError;
      expect(message).toContain(`cannot reach the registry database at 127.0.0.1:${server.port}/registry_`);
      expect(message).toMatch(/check MLOPS_REGISTRY and that PostgreSQL is up/);
      expect(message).not.toContain(server.password);
      await expect(registry.getModel('m')).rejects.toMatchObject({ type: 'RegistryUnavailable' });

      await server.restart();
      const retried = await registry.registerVersion('m', version('during'));
      expect(retried.version).toBe(2);
      expect((await registry.getModel('m'))!.versions.map((v) => v.idempotencyKey)).toEqual(['before', 'during']);
    } finally {
      await registry.close();
    }
  });

  it('leaves no half-written version when PostgreSQL is killed in the middle of a write', async () => {
    const url = await freshDatabase();
    const registry = new PostgresModelRegistry(url);
    const holder = await connect(url);
    holder.on('error', () => {});
    try {
      await registry.registerVersion('m', version('before'));
      // Hold the model's row lock so the next write stops inside its transaction.
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM mlops_models WHERE name = 'm' FOR UPDATE");
      const write = registry.registerVersion('m', version('during')).catch((err: unknown) => err);
      await vi.waitFor(
        async () => {
          // Inside a transaction pg_stat_activity is a snapshot: clear it to see the writer arrive.
          await holder.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await holder.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT doc FROM mlops_models%FOR UPDATE'");
          expect(rows[0].n).toBe(1);
        },
        { timeout: 10_000, interval: 50 },
      );
      await server.kill();
      expect(await write).toMatchObject({ type: 'RegistryUnavailable', retryable: true });

      await server.restart();
      expect((await registry.getModel('m'))!.versions.map((v) => v.idempotencyKey)).toEqual(['before']);
      await registry.registerVersion('m', version('during'));
      expect((await registry.getModel('m'))!.versions.map((v) => [v.version, v.idempotencyKey])).toEqual([
        [1, 'before'],
        [2, 'during'],
      ]);
    } finally {
      await holder.end().catch(() => {});
      await registry.close();
    }
  });

  it('says what to fix for a wrong password or a missing database, without printing the password', async () => {
    const wrongPassword = server.url.replace(server.password, 'not-the-password');
    const denied = await new PostgresModelRegistry(wrongPassword).listModels().catch((err: unknown) => err);
    expect(denied).toMatchObject({ type: 'UsageError', message: expect.stringMatching(/refused the login .*fix the user and password in MLOPS_REGISTRY/) });
    expect((denied as Error).message).not.toContain('not-the-password');

    const missing = await new PostgresModelRegistry(server.url.replace(/\/postgres$/, '/nowhere')).listModels().catch((err: unknown) => err);
    expect(missing).toMatchObject({ type: 'UsageError', message: expect.stringMatching(/127\.0\.0\.1:\d+\/nowhere does not exist; create it \("createdb nowhere"/) });
  });

  it('works for a role that may not create tables once they exist, and says what to grant otherwise', async () => {
    const url = await freshDatabase();
    const admin = await connect(url);
    try {
      // PostgreSQL 15 no longer lets every role create in the public schema.
      await admin.query("CREATE ROLE registry_reader LOGIN PASSWORD 'reader-secret'");
      const readerUrl = url.replace(`mlops:${server.password}@`, 'registry_reader:reader-secret@');
      const early = await new PostgresModelRegistry(readerUrl).listModels().catch((err: unknown) => err);
      expect(early).toMatchObject({ type: 'UsageError', message: expect.stringMatching(/^the registry user may not use the registry tables at 127\.0\.0\.1:\d+\/registry_\d+ \(permission denied .*\); grant it CREATE/) });

      const owner = new PostgresModelRegistry(url);
      await owner.registerVersion('m', version('a'));
      await owner.close();
      await admin.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO registry_reader');
      const reader = new PostgresModelRegistry(readerUrl);
      try {
        expect(await reader.listModels()).toEqual(['m']);
        expect((await reader.resolve('m', { version: 1 }))?.idempotencyKey).toBe('a');
        await expect(reader.registerVersion('m', version('b'))).rejects.toMatchObject({ type: 'UsageError', message: expect.stringMatching(/permission denied for table mlops_models/) });
      } finally {
        await reader.close();
      }
    } finally {
      await admin.end();
    }
  });

  it('serves "mlops models" from the database named by MLOPS_REGISTRY', async () => {
    const url = await freshDatabase();
    const registry = new PostgresModelRegistry(url);
    await registry.registerVersion('taxi', { ...version('run-1'), metrics: { rmse: 3.5 } });
    await registry.setAlias('taxi', 'production', 1, 'ana');
    await registry.close();
    const home = await mkdtemp(path.join(os.tmpdir(), 'mlops-pg-cli-'));
    onTestFinished(() => rm(home, { recursive: true, force: true }));

    const listed = await runMlops(['models', '--json'], { env: { ...process.env, MLOPS_HOME: home, MLOPS_REGISTRY: url } });
    expect(listed.code, listed.stderr).toBe(0);
    const models = JSON.parse(listed.stdout) as { name: string; aliases: Record<string, number>; versions: { version: number; metrics: { rmse: number } }[] }[];
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'taxi', aliases: { production: 1 }, versions: [{ version: 1, metrics: { rmse: 3.5 } }] });

    // Nothing listens on port 1: a one-line reason naming the server, without the password.
    const unreachable = url.replace(`:${server.port}/`, ':1/');
    const failed = await runMlops(['models', '--json'], { env: { ...process.env, MLOPS_HOME: home, MLOPS_REGISTRY: unreachable } });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^mlops: cannot reach the registry database at 127\.0\.0\.1:1\/registry_\d+ \(connect ECONNREFUSED/);
    expect(failed.stderr).not.toContain(server.password);
  });

  it('a model server with polling off follows alias moves made elsewhere, by notification', async () => {
    const url = await freshDatabase();
    const fx = await createFixture({ registry: new PostgresModelRegistry(url) });
    const mover = new PostgresModelRegistry(url);
    const app = buildServer({ ...serverOptions(fx), pollMs: 600_000 });
    try {
      await fx.addVersion('taxi', { bias: 0 }, { alias: 'production' });
      await fx.addVersion('taxi', { bias: 100 });
      const served = async () => (await app.inject({ method: 'POST', url: '/v1/models/taxi:predict', payload: { instances: [instance] } })).headers['x-model-version'];
      expect(await served()).toBe('1');
      await mover.setAlias('taxi', 'production', 2, { actor: 'ana', action: 'promote' });
      const deadline = Date.now() + 10_000;
      while ((await served()) !== '2' && Date.now() < deadline) await sleep(50);
      expect(await served()).toBe('2');
    } finally {
      await app.close();
      await Promise.all([mover.close(), fx.registry.close()]);
      await fx.cleanup();
    }
  });
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
