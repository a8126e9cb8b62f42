/** The `mlops` command line against a real dev server and worker. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, taxiSpec, type Harness } from './harness.js';
import { runMlops, type Outcome } from './run-mlops.js';


describe('mlops CLI', () => {
  let h: Harness;
  let mlops: (...args: string[]) => Promise<Outcome>;
  beforeAll(async () => {
    h = await startHarness('it-cli');
    const env = { ...process.env, MLOPS_HOME: h.config.home, TEMPORAL_ADDRESS: h.config.temporalAddress, MLOPS_TASK_QUEUE: h.config.taskQueue, MLOPS_LOG_LEVEL: 'warn' };
    mlops = (...args) => runMlops(args, { env });
  });
  afterAll(async () => h?.close());

  it('runs, approves, waits and reports through --json, status and models', async () => {
    const specFile = path.join(h.config.home, 'cli-spec.json');
    await writeFile(specFile, JSON.stringify(taxiSpec(h, { name: 'taxi-cli-run' })));
    const run = await mlops('run', specFile, '--approve', '--wait', '--json', '--workflow-id', 'cli-run-1');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ workflowId: 'cli-run-1', model: 'taxi-cli-run', deployed: true, version: 1 });

    const status = await mlops('status', 'cli-run-1', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ stage: 'deployed', version: 1 });
    const readable = await mlops('status', 'cli-run-1');
    expect(readable.stdout).toMatch(/^cli-run-1  trainingPipeline  COMPLETED\n  stage      deployed\n  model      taxi-cli-run\n/);
    expect(readable.stdout).toMatch(/\n  metrics    rmse \d/);
    expect(readable.stdout).toMatch(/\n  approval   approved by \S+ at /);
    expect(readable.stdout).toContain('\n  version    v1 in production');

    const models = await mlops('models', 'taxi-cli-run', '--json');
    expect(JSON.parse(models.stdout)).toMatchObject({ name: 'taxi-cli-run', aliases: { production: 1 } });
    const text = await mlops('models');
    expect(text.stdout).toMatch(/taxi-cli-run\s+production→v1/);
  });

  it('a missing data file: non-zero exit and one line naming the path', async () => {
    const specFile = path.join(h.config.home, 'missing-data.json');
    const spec = taxiSpec(h, { name: 'taxi-missing' });
    await writeFile(specFile, JSON.stringify({ ...spec, data: { ...spec.data, source: '/nowhere/trips.parquet' } }));
    const out = await mlops('run', specFile, '--wait');
    expect(out.code).not.toBe(0);
    const lastLine = out.stderr.trim().split('\n').at(-1) ?? '';
    expect(lastLine).toMatch(/^mlops: .*\/nowhere\/trips\.parquet/);
    expect(await h.registry.getModel('taxi-missing')).toBeUndefined();
  });

  it('an invalid spec file: non-zero exit before anything starts', async () => {
    const specFile = path.join(h.config.home, 'bad.yaml');
    await writeFile(specFile, 'name: Bad\ntask: regression\ndata: { source: x.csv, target: y, features: [] }\n');
    const out = await mlops('run', specFile);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toMatch(/^mlops: invalid pipeline spec \(.*bad\.yaml\): name: .*; data\.features: .*$/);
  });

  it('schedule creates a Temporal Schedule that skips overlapping runs; monitor starts continuousTraining', async () => {
    const specFile = path.join(h.config.home, 'scheduled.json');
    await writeFile(specFile, JSON.stringify(taxiSpec(h, { name: 'taxi-scheduled' })));
    const out = await mlops('schedule', specFile, '--every', '24h', '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ scheduleId: 'retrain-taxi-scheduled', every: '24h' });
    const schedule = await h.client.schedule.getHandle('retrain-taxi-scheduled').describe();
    expect(schedule.policies.overlap).toBe('SKIP');
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'trainingPipeline', taskQueue: h.config.taskQueue });
    expect(schedule.spec.intervals?.[0]?.every).toBe(24 * 3600 * 1000);
    await h.client.schedule.getHandle('retrain-taxi-scheduled').delete();

    const monitor = await mlops('monitor', specFile, '--workflow-id', 'cli-monitor', '--json');
    expect(monitor.code, monitor.stderr).toBe(0);
    const status = await mlops('status', 'cli-monitor', '--json');
    // A new monitor checks at once: without a production version its first check starts a retrain.
    expect(JSON.parse(status.stdout)).toMatchObject({ model: 'taxi-scheduled', paused: false, policy: { interval: '1h' } });
    const readable = await mlops('status', 'cli-monitor');
    expect(readable.stdout).toMatch(/^cli-monitor  continuousTraining  RUNNING\n  stage      (monitoring|retraining: cli-monitor-retrain-\d+)\n  model      taxi-scheduled\n  checks     \d+/);
    expect(readable.stdout).toMatch(/\n  policy     every 1h; retrain at 20% of features drifted/);
    await h.client.workflow.getHandle('cli-monitor').terminate('test done');
    const late = await mlops('approve', 'cli-monitor', '--reviewer', 'ana');
    expect(late.code).toBe(1);
    expect(late.stderr.trim().split('\n').at(-1)).toMatch(/^mlops: .*(completed|terminated|not found)/i);
  });

  it('approve needs a reviewer; an unreachable server is one clear line', async () => {
    expect((await mlops('approve', 'whatever')).stderr).toMatch(/--reviewer/);
    const env = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const out = await runMlops(['status', 'x'], { env });
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toMatch(/^mlops: cannot reach the Temporal server at 127\.0\.0\.1:1 .*mlops server/);
  });
});
