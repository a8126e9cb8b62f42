/**
 * What every registry backend promises, run against each: the file registry
 * (model-registry.test.ts) and PostgreSQL (test/integration/postgres-registry.test.ts).
 * `fresh()` returns an empty registry; the suite closes what it opened.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '../../../src/registry/artifact-store.js';
import type { InferenceSegment, ModelRegistry, NewVersion, RegisteredModel } from '../../../src/registry/model-registry.js';
import type { MonitorCheckRecord, RunRecord } from '../../../src/registry/run-record.js';

const ref = (name: string): ArtifactRef => ({ uri: `file:///artifacts/${name}`, sha256: name.padEnd(64, '0'), bytes: name.length });

export function version(key: string): NewVersion {
  return { bundle: ref('b1'), metrics: { rmse: 1 }, idempotencyKey: key, lineage: { dataset: ref('d1'), specHash: 'abc' } };
}

/** The backend's protected transactional update, which the rules are written over. */
type Updatable = { update<T>(name: string, change: (model: RegisteredModel) => T): Promise<T> };

export function describeRegistryContract(backend: string, fresh: () => Promise<ModelRegistry>): void {
  describe(`ModelRegistry contract (${backend})`, () => {
    const opened: ModelRegistry[] = [];
    afterAll(() => Promise.all(opened.map((r) => r.close())));
    const open = async () => {
      const registry = await fresh();
      opened.push(registry);
      return registry;
    };

    it('numbers versions, moves aliases and keeps the history', async () => {
      const registry = await open();
      const v1 = await registry.registerVersion('m', version('run-1'));
      const v2 = await registry.registerVersion('m', version('run-2'));
      expect([v1.version, v2.version]).toEqual([1, 2]);
      await registry.setAlias('m', 'production', 1, 'ana');
      await registry.setAlias('m', 'production', 2, 'bo', 'better');
      expect((await registry.resolve('m'))?.version).toBe(2);
      expect((await registry.resolve('m', { version: 1 }))?.idempotencyKey).toBe('run-1');
      expect(await registry.resolve('m', { alias: 'staging' })).toBeUndefined();
      const model = await registry.getModel('m');
      expect(model?.history.map((e) => [e.from, e.to, e.actor, e.reason])).toEqual([
        [null, 1, 'ana', undefined],
        [1, 2, 'bo', 'better'],
      ]);
      await registry.registerVersion('a-first', version('x'));
      expect(await registry.listModels()).toEqual(['a-first', 'm']);
    });

    it('keeps open lineage, artifact references, the approval record and tags with the version', async () => {
      const registry = await open();
      const v = await registry.registerVersion('m', {
        ...version('run-1'),
        metrics: { rmse: 0.1234567891234, mae: 2, r2: -0.5 },
        lineage: { dataset: ref('d2'), specHash: 'abc', codeVersion: 'git:1234', epochs: 8, hyperparameters: { lr: 0.01, layers: [64, 32] }, seed: 42 },
        schema: ref('s'),
        statistics: ref('st'),
        report: ref('r'),
        approval: { decision: 'approved', reviewer: 'ana', comment: 'ok "quoted" ünïcode', at: '2024-01-01T00:00:00Z', workflowId: 'wf-1' },
        tags: { team: 'rides' },
      });
      const stored = (await registry.getModel('m'))!.versions[0]!;
      expect(stored).toEqual(v);
      expect(stored.lineage).toMatchObject({ codeVersion: 'git:1234', epochs: 8, seed: 42, hyperparameters: { layers: [64, 32] } });
      expect(stored.metrics.rmse).toBe(0.1234567891234);
    });

    it('sets and deletes tags without touching the rest of the version', async () => {
      const registry = await open();
      await registry.registerVersion('m', { ...version('run-1'), tags: { team: 'rides' } });
      expect(await registry.setTags('m', 1, { stage: 'canary', team: null })).toEqual({ stage: 'canary' });
      const [v] = (await registry.getModel('m'))!.versions;
      expect(v).toMatchObject({ version: 1, tags: { stage: 'canary' }, metrics: { rmse: 1 } });
      await expect(registry.setTags('m', 9, { a: 'b' })).rejects.toThrow(/has no version 9/);
      await expect(registry.setTags('m', 1, { 'a b': 'c' })).rejects.toThrow(/tag key "a b"/);
    });

    it('rolls production back step by step through its history', async () => {
      const registry = await open();
      for (const key of ['a', 'b', 'c']) await registry.registerVersion('m', version(key));
      await registry.setAlias('m', 'production', 1, { actor: 'ci', action: 'deploy' });
      await registry.setAlias('m', 'staging', 3, 'ana');
      await registry.setAlias('m', 'production', 2, { actor: 'ci', action: 'deploy' });
      await registry.setAlias('m', 'production', 3, { actor: 'ana', reason: 'canary looked good' });
      expect(await registry.setAlias('m', 'production', 3, 'ana')).toBeUndefined(); // no-op, no history entry

      const first = await registry.rollback('m', { actor: 'bo', reason: 'latency' });
      expect(first).toMatchObject({ alias: 'production', from: 3, to: 2, action: 'rollback', actor: 'bo', reason: 'latency' });
      expect((await registry.rollback('m', { actor: 'bo' })).to).toBe(1);
      await expect(registry.rollback('m', { actor: 'bo' })).rejects.toThrow(/no earlier production version to roll back to/);
      await expect(registry.rollback('m', { actor: 'bo', alias: 'staging' })).rejects.toThrow(/no earlier staging/);

      const model = (await registry.getModel('m'))!;
      expect(model.aliases).toEqual({ production: 1, staging: 3 });
      expect(model.history.map((e) => `${e.alias}:${e.from}->${e.to}:${e.action}:${e.actor}`)).toEqual([
        'production:null->1:deploy:ci',
        'staging:null->3:promote:ana',
        'production:1->2:deploy:ci',
        'production:2->3:promote:ana',
        'production:3->2:rollback:bo',
        'production:2->1:rollback:bo',
      ]);
      // After a new promotion, a rollback returns to the version it replaced.
      await registry.setAlias('m', 'production', 3, 'ana');
      expect((await registry.rollback('m', { actor: 'bo' })).to).toBe(1);
    });

    it('removes an alias, validates alias names', async () => {
      const registry = await open();
      await registry.registerVersion('m', version('a'));
      await registry.setAlias('m', 'canary', 1, 'ana');
      expect(await registry.removeAlias('m', 'canary', 'ana', 'done')).toMatchObject({ from: 1, to: null, action: 'remove' });
      expect((await registry.getModel('m'))!.aliases).toEqual({});
      await expect(registry.removeAlias('m', 'canary', 'ana')).rejects.toThrow(/has no alias "canary"/);
      for (const bad of ['', '1', '__proto__', 'a b', '../x']) await expect(registry.setAlias('m', bad, 1, 'ana')).rejects.toThrow(/is not an alias/);
    });

    it('never registers two versions for one idempotency key', async () => {
      const registry = await open();
      const first = await registry.registerVersion('m', version('run-1'));
      const again = await registry.registerVersion('m', { ...version('run-1'), metrics: { rmse: 9 } });
      expect(again).toEqual(first);
      expect((await registry.getModel('m'))?.versions).toHaveLength(1);
    });

    it('keeps concurrent writers in one process consistent', async () => {
      const registry = await open();
      const versions = await Promise.all(Array.from({ length: 12 }, (_, i) => registry.registerVersion('m', version(`run-${i}`))));
      expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect((await registry.getModel('m'))!.versions.map((v) => v.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });

    it('refuses unknown models, versions and bad names with named errors', async () => {
      const registry = await open();
      await registry.registerVersion('m', version('run-1'));
      await expect(registry.setAlias('m', 'production', 7, 'ana')).rejects.toMatchObject({ type: 'ModelNotFound', message: expect.stringMatching(/has no version 7 \(versions: 1\)/) });
      await expect(registry.requireModel('nope')).rejects.toMatchObject({ type: 'ModelNotFound', retryable: false });
      expect(await registry.getModel('nope')).toBeUndefined();
      expect(await registry.resolve('nope')).toBeUndefined();
      await expect(registry.getModel('../etc')).rejects.toMatchObject({ type: 'BadRequest', message: expect.stringMatching(/not a model name/) });
      await expect(registry.registerVersion('Bad Name', version('x'))).rejects.toMatchObject({ type: 'BadRequest' });
      expect((await registry.getModel('m'))!.aliases).toEqual({});
      expect(await registry.listModels()).toEqual(['m']);
    });

    it('stores nothing when a change throws, even after it mutated the document', async () => {
      const registry = await open();
      await registry.registerVersion('m', version('run-1'));
      await registry.setAlias('m', 'production', 1, 'ana');
      const before = await registry.getModel('m');
      const update = (registry as unknown as Updatable).update.bind(registry);
      await expect(
        update('m', (model) => {
          model.versions.push({ ...version('ghost'), version: 2, createdAt: '2024-01-01T00:00:00Z' });
          model.aliases.production = 2;
          throw new Error('rule failed halfway');
        }),
      ).rejects.toThrow('rule failed halfway');
      expect(await registry.getModel('m')).toEqual(before);
      // A model that did not exist stays absent.
      await expect(registry.setAlias('fresh', 'production', 1, 'ana')).rejects.toThrow(/has no version 1/);
      expect(await registry.getModel('fresh')).toBeUndefined();
      expect(await registry.listModels()).toEqual(['m']);
    });

    describe('inference-log segments', () => {
      const segment = (name: string, firstAt: string, lastAt: string, extra: Partial<InferenceSegment> = {}): InferenceSegment => ({
        model: 'm',
        kind: 'predictions',
        artifact: ref(name),
        rows: 10,
        firstAt,
        lastAt,
        ...extra,
      });

      it('records each artifact once per kind and lists them oldest first', async () => {
        const registry = await open();
        const late = segment('s3', '2024-05-01T12:00:00.000Z', '2024-05-01T12:59:59.000Z', { writer: 'host-a:12' });
        const early = segment('s1', '2024-05-01T10:00:00.000Z', '2024-05-01T10:59:59.000Z', { rows: 3 });
        const middle = segment('s2', '2024-05-01T11:00:00.000Z', '2024-05-01T11:59:59.000Z');
        for (const s of [late, early, middle, late, early]) await registry.addInferenceSegment(s);
        expect(await registry.listInferenceSegments('m')).toEqual([early, middle, late]);
        expect(await registry.listInferenceSegments('other')).toEqual([]);
      });

      it('filters by kind and by the time of the last row', async () => {
        const registry = await open();
        const predictions = segment('p1', '2024-05-01T10:00:00.000Z', '2024-05-01T10:30:00.000Z');
        const feedback = segment('p1', '2024-05-01T10:05:00.000Z', '2024-05-01T10:40:00.000Z', { kind: 'feedback' });
        const later = segment('p2', '2024-05-01T11:00:00.000Z', '2024-05-01T11:30:00.000Z');
        for (const s of [predictions, feedback, later]) await registry.addInferenceSegment(s);
        await registry.addInferenceSegment(segment('x', '2024-05-01T09:00:00.000Z', '2024-05-01T09:10:00.000Z', { model: 'other' }));
        expect(await registry.listInferenceSegments('m', { kind: 'feedback' })).toEqual([feedback]);
        expect(await registry.listInferenceSegments('m', { kind: 'predictions' })).toEqual([predictions, later]);
        // `since` is inclusive: a segment ending exactly then still counts.
        expect(await registry.listInferenceSegments('m', { since: '2024-05-01T10:40:00.000Z' })).toEqual([feedback, later]);
        expect(await registry.listInferenceSegments('m', { kind: 'predictions', since: '2024-05-01T10:31:00.000Z' })).toEqual([later]);
        expect(await registry.listInferenceSegments('m', { since: '2024-05-02T00:00:00.000Z' })).toEqual([]);
        await expect(registry.listInferenceSegments('../m')).rejects.toThrow(/not a model name/);
      });
    });

    describe('runs and monitor checks', () => {
      const run = (id: string, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord => ({
        id,
        kind: 'pipeline',
        model: 'm',
        workflowId: id.split('/')[0]!,
        runId: id.split('/')[1] ?? 'r',
        startedAt,
        outcome: 'running',
        ...extra,
      });

      it('keeps each run once by id, the last save winning, and lists them newest first with filters', async () => {
        const registry = await open();
        const first = run('wf-1/r1', '2024-05-01T10:00:00.000Z', { trainer: 'mlp', hyperparameters: { epochs: 3, hiddenUnits: [16] } });
        await registry.saveRun(first);
        const ended: RunRecord = { ...first, outcome: 'deployed', endedAt: '2024-05-01T10:05:00.000Z', version: 1, metrics: { rmse: 1.25 }, datasetSha256: 'd'.repeat(64), reports: { evaluation: 'file:///r.html' } };
        await registry.saveRun(ended);
        const second = run('wf-2/r1', '2024-05-01T11:00:00.000Z', { outcome: 'rejected', reason: 'rmse too high' });
        const trial = run('wf-2-sweep/r9/trial-1', '2024-05-01T11:01:00.000Z', { kind: 'trial', trial: 1, parentWorkflowId: 'wf-2', outcome: 'completed' });
        const other = run('wf-3/r1', '2024-05-01T09:00:00.000Z', { model: 'other', outcome: 'failed' });
        for (const r of [second, trial, other]) await registry.saveRun(r);

        expect(await registry.listRuns({ model: 'm' })).toEqual([trial, second, ended]);
        expect(await registry.listRuns()).toEqual([trial, second, ended, other]);
        expect(await registry.listRuns({ limit: 2 })).toEqual([trial, second]);
        expect(await registry.listRuns({ kind: 'pipeline', model: 'm' })).toEqual([second, ended]);
        expect(await registry.listRuns({ outcome: 'failed' })).toEqual([other]);
        expect(await registry.listRuns({ parentWorkflowId: 'wf-2' })).toEqual([trial]);
        expect(await registry.getRun('wf-1/r1')).toEqual(ended);
        expect(await registry.getRun('nope/r')).toBeUndefined();
        expect(await registry.listRuns({ model: 'nobody' })).toEqual([]);
      });

      it('refuses run records with a bad model name or time', async () => {
        const registry = await open();
        await expect(registry.saveRun(run('a/b', '2024-05-01T10:00:00Z', { model: '../x' }))).rejects.toMatchObject({ type: 'BadRequest' });
        await expect(registry.saveRun(run('a/b', 'yesterday'))).rejects.toThrow(/not an ISO-8601 time/);
        await expect(registry.saveRun(run('', '2024-05-01T10:00:00Z'))).rejects.toThrow(/needs an id/);
        expect(await registry.listRuns()).toEqual([]);
      });

      it('keeps monitor checks once each, oldest first, the newest N on request', async () => {
        const registry = await open();
        const check = (at: string, extra: Partial<MonitorCheckRecord> = {}): MonitorCheckRecord => ({
          model: 'm',
          workflowId: 'monitor-m',
          runId: 'r1',
          at,
          action: 'none',
          reasons: ['no drift or decay beyond the policy'],
          productionVersion: 1,
          ...extra,
        });
        const drifted = check('2024-05-01T11:00:00.000Z', {
          action: 'retrain',
          reasons: ['drift: 50% of features drifted'],
          drift: { rows: 100, shareDrifted: 0.5, datasetDrift: true, features: [{ feature: 'x', test: 'psi', score: 0.4, threshold: 0.1, drifted: true }] },
          live: { '1': { rmse: 2 } },
          retrainWorkflowId: 'monitor-m-retrain-2',
          deployedVersion: 2,
        });
        const first = check('2024-05-01T10:00:00.000Z');
        const third = check('2024-05-01T12:00:00.000Z', { runId: 'r2' });
        for (const c of [drifted, first, third, drifted]) await registry.addMonitorCheck(c);
        expect(await registry.listMonitorChecks('m')).toEqual([first, drifted, third]);
        expect(await registry.listMonitorChecks('m', { limit: 2 })).toEqual([drifted, third]);
        expect(await registry.listMonitorChecks('other')).toEqual([]);
        await expect(registry.addMonitorCheck(check('soon'))).rejects.toThrow(/not an ISO-8601 time/);
      });
    });
  });
}
