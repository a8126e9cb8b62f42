/** The same flow driven only by the Temporal CLI: start, signal, show. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemporalCli } from '../../src/temporal/temporal-cli.js';
import { startHarness, taxiSpec, type Harness } from './harness.js';

const run = promisify(execFile);

describe('driving trainingPipeline with the Temporal CLI', () => {
  let h: Harness;
  let temporal: (...args: string[]) => Promise<string>;
  beforeAll(async () => {
    h = await startHarness('it-temporal-cli');
    const cli = await findTemporalCli({ allowBuild: false, allowDownload: false });
    temporal = async (...args) => (await run(cli.path, [...args, '--address', h.config.temporalAddress], { encoding: 'utf8' })).stdout;
  });
  afterAll(async () => h?.close());

  it('start with --input-file, query status, signal approve, show the result', async () => {
    const specFile = path.join(h.config.home, 'spec.json');
    await writeFile(specFile, JSON.stringify(taxiSpec(h, { name: 'taxi-cli' })));
    const id = `cli-${Date.now()}`;
    await temporal('workflow', 'start', '--type', 'trainingPipeline', '--task-queue', h.config.taskQueue, '--workflow-id', id, '--input-file', specFile);

    let stage = '';
    for (let i = 0; i < 600 && stage !== 'awaiting-approval'; i++) {
      const out = await temporal('workflow', 'query', '--workflow-id', id, '--type', 'status', '--output', 'json');
      stage = (JSON.parse(out) as { queryResult: { stage: string }[] }).queryResult[0]?.stage ?? '';
      if (stage === 'failed') throw new Error(out);
      if (stage !== 'awaiting-approval') await new Promise((r) => setTimeout(r, 250));
    }
    expect(stage).toBe('awaiting-approval');

    await temporal('workflow', 'signal', '--workflow-id', id, '--name', 'approve', '--input', '{"reviewer":"ana"}');
    const result = JSON.parse(await temporal('workflow', 'result', '--workflow-id', id, '--output', 'json')) as { status: string; result: { deployed: boolean; version: number } };
    expect(result.status).toBe('COMPLETED');
    expect(result.result).toMatchObject({ deployed: true, version: 1 });

    const history = await temporal('workflow', 'show', '--workflow-id', id, '--output', 'json');
    for (const step of ['ingest', 'validate', 'train', 'evaluate', 'deploy']) expect(history).toContain(`"${step}"`);
    // prepareSpec runs as a local activity: a marker whose details name it (base64 JSON payloads).
    const markers = (JSON.parse(history) as { events: { markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> } }[] }).events
      .map((e) => e.markerRecordedEventAttributes)
      .filter((m) => m?.markerName === 'core_local_activity');
    const named = markers.flatMap((m) => Object.values(m?.details ?? {}).flatMap((d) => (d.payloads ?? []).map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))));
    expect(named.join('\n')).toContain('"prepareSpec"');
    expect(history).toContain('"approve"');
    expect((await h.registry.getModel('taxi-cli'))?.aliases.production).toBe(1);
  });
});
