/**
 * Replays every recorded history (test/histories/<version>/<workflow ID>.json, exported from real runs by
 * `npm run histories:export`) against the current workflow code. A workflow change that is not
 * guarded by patched() and would break a running workflow fails here.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal/plugin.js';

const historiesDir = path.resolve('test/histories');

type Recorded = { workflowId: string; version: string; history: ReturnType<typeof historyFromJSON> };

async function recordedHistories(): Promise<Recorded[]> {
  const versions = await readdir(historiesDir, { withFileTypes: true });
  const out = [];
  for (const dir of versions.filter((d) => d.isDirectory())) {
    for (const file of (await readdir(path.join(historiesDir, dir.name))).filter((f) => f.endsWith('.json'))) {
      const json: unknown = JSON.parse(await readFile(path.join(historiesDir, dir.name, file), 'utf8'));
      out.push({ workflowId: file.slice(0, -'.json'.length), version: dir.name, history: historyFromJSON(json) });
    }
  }
  return out;
}

function workflowType(recorded: Recorded): string {
  return recorded.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '(unknown)';
}

describe('replay of recorded histories', () => {
  it('has recorded histories of every workflow the plugin ships, the current version\'s included', async () => {
    const histories = await recordedHistories();
    const shipped = Object.keys(await import('../../workflows/index.js')).sort();
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const typesOf = (list: Recorded[]) => [...new Set(list.map(workflowType))].sort();
    expect(typesOf(histories)).toEqual(shipped);
    // A version bump (the workflows changed) comes with `npm run histories:export`.
    expect(typesOf(histories.filter((h) => h.version === version))).toEqual(shipped);
    const count = (type: string) => histories.filter((h) => workflowType(h) === type).length;
    expect(count('trainingPipeline')).toBeGreaterThanOrEqual(15);
    expect(count('continuousTraining')).toBeGreaterThanOrEqual(3);
    expect(count('hyperparameterSweep')).toBeGreaterThanOrEqual(2);
  });

  it('every released workflow history replays against the current code', async () => {
    const histories = await recordedHistories();
    expect(histories.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('detects a non-deterministic change', async () => {
    const [first] = (await recordedHistories()).filter((h) => h.workflowId === 'history-approved');
    expect(first).toBeDefined();
    const changed = path.resolve('test/replay/fixtures/reordered-pipeline.ts');
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: changed }, [first as NonNullable<typeof first>])) results.push(result);
    // A determinism violation, not any error (a missing file or a bad bundle would also be one).
    expect(results[0]?.error).toBeInstanceOf(DeterminismViolationError);
    expect(results[0]?.error?.message).toMatch(/nondetermin/i);
  });
});
