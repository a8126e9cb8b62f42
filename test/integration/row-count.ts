/** Rows of a Parquet artifact, read through whichever store holds it (as a worker would). */
import { DataEngine, quoteLiteral } from '../../src/data/engine.js';
import type { ArtifactRef, ArtifactStore } from '../../src/registry/artifact-store.js';

export async function rowCount(store: ArtifactStore, ref: ArtifactRef): Promise<number> {
  const engine = await DataEngine.open({ threads: 1 });
  try {
    const [row] = await engine.rows(`SELECT count(*) AS n FROM read_parquet(${quoteLiteral(await store.localPath(ref))})`);
    return Number(row?.['n']);
  } finally {
    engine.close();
  }
}
