/**
 * Cross-process mutual exclusion for read-modify-write of registry files, using
 * proper-lockfile (mkdir-based, with stale-lock recovery if a holder crashed).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  const release = await lockfile.lock(lockPath, {
    realpath: false,
    lockfilePath: lockPath,
    stale: 10_000,
    retries: { retries: 50, minTimeout: 20, maxTimeout: 500, factor: 1.5 },
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
