/**
 * Mutual exclusion for read-modify-write of registry files. Across processes: proper-lockfile
 * (mkdir-based, with stale-lock recovery if a holder crashed). Within a process: a promise
 * queue per lock path first, so writers in one process take turns without polling the
 * file lock (its retry back-off is what makes contention slow).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

const queues = new Map<string, Promise<unknown>>();

export async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const key = path.resolve(lockPath);
  const previous = queues.get(key) ?? Promise.resolve();
  const turn = previous.then(
    () => lockAcrossProcesses(key, work),
    () => lockAcrossProcesses(key, work),
  );
  const settled = turn.catch(() => undefined);
  queues.set(key, settled);
  try {
    return await turn;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

async function lockAcrossProcesses<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  const release = await lockfile.lock(lockPath, {
    realpath: false,
    lockfilePath: lockPath,
    stale: 10_000,
    retries: { retries: 100, minTimeout: 5, maxTimeout: 100, factor: 1.3, randomize: true },
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
