/**
 * MLOPS_DATA_ROOTS as an attacker tries it: every reader (data.source, data.query, data.schema,
 * data.snapshot) refuses what lies outside the roots with DataAccessDenied before reading it,
 * data.query is one SELECT, and the DuckDB engine itself is locked.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dataAccessFrom, type DataAccess } from '../../../src/data/data-access.js';
import { loadDataSchemaFile } from '../../../src/data/data-schema.js';
import { DataEngine, quoteLiteral } from '../../../src/data/engine.js';
import { ingestDataset } from '../../../src/data/ingest.js';
import { validateDataset } from '../../../src/data/validate.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { makeSpec, rejection, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const engines: DataEngine[] = [];
afterEach(() => engines.splice(0).forEach((e) => e.close()));

/** A root folder (also MLOPS_HOME, so the store is in it), a folder outside it, and an engine locked to the root. */
async function setup() {
  const root = await tempDir();
  const outside = await tempDir();
  const access = dataAccessFrom({ MLOPS_DATA_ROOTS: root, MLOPS_HOME: path.join(root, 'home') }, root);
  const engine = await DataEngine.open({ threads: 1, access });
  engines.push(engine);
  const store = new FileArtifactStore(path.join(root, 'home', 'artifacts'));
  await writeFile(path.join(root, 'd.csv'), 'y,a,b\n1,2,p\n3,4,q\n');
  await writeFile(path.join(outside, 'secret.csv'), 'y,a,b\n42,42,secret-value\n');
  return { root, outside, access, engine, store };
}

describe('dataAccessFrom', () => {
  it('defaults to the working directory and MLOPS_HOME; reads folders, s3 prefixes and *', () => {
    expect(dataAccessFrom({}, '/w').folders).toEqual(['/w', '/w/.mlops']);
    const a = dataAccessFrom({ MLOPS_DATA_ROOTS: ' /data , rel, s3://bucket/in ', MLOPS_HOME: '/h' }, '/w');
    expect(a.folders).toEqual(['/data', '/w/rel']);
    expect(a.prefixes).toEqual(['s3://bucket/in/']);
    expect(a.storeFolders).toEqual(['/h/artifacts', '/h/cache']);
    expect(dataAccessFrom({ MLOPS_DATA_ROOTS: '*' }, '/w').unrestricted).toBe(true);
    expect(() => dataAccessFrom({ MLOPS_DATA_ROOTS: 'http://x/y' }, '/w')).toThrow(/MLOPS_DATA_ROOTS holds "http:\/\/x\/y"/);
  });
});

describe('data.source', () => {
  it('is refused outside the roots, the same way whether the file exists or not', async () => {
    const { root, outside, engine, store } = await setup();
    for (const source of [path.join(outside, 'secret.csv'), path.join(outside, 'nope.csv'), '../' + path.basename(outside) + '/*.csv', '/etc/passwd']) {
      const err = await rejection(ingestDataset({ spec: makeSpec({ source }), baseDir: root, store, engine }));
      expect(err.type).toBe('DataAccessDenied');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/is outside the data roots .* MLOPS_DATA_ROOTS/);
    }
    expect((await ingestDataset({ spec: makeSpec({ source: 'd.csv' }), baseDir: root, store, engine })).rows).toBe(2);
  });

  it('follows symbolic links: a link in a root that points outside is refused', async () => {
    const { root, outside, engine, store } = await setup();
    await symlink(path.join(outside, 'secret.csv'), path.join(root, 'link.csv'));
    await symlink(outside, path.join(root, 'linkdir'));
    for (const source of ['link.csv', 'linkdir', 'linkdir/*.csv']) {
      const err = await rejection(ingestDataset({ spec: makeSpec({ source }), baseDir: root, store, engine }));
      expect(err.type).toBe('DataAccessDenied');
    }
  });
});

describe('data.query', () => {
  it('cannot read a file outside the roots (read_csv of /etc/passwd passed validation before)', async () => {
    const { root, outside, engine } = await setup();
    for (const query of [
      `SELECT * FROM read_csv('/etc/passwd', header = false)`,
      `SELECT * FROM read_csv(${quoteLiteral(path.join(outside, 'secret.csv'))})`,
      `SELECT * FROM ${quoteLiteral(path.join(outside, 'secret.csv'))}`,
      `SELECT * FROM read_csv(['d.csv', ${quoteLiteral(path.join(outside, 'secret.csv'))}])`,
      // Computed at run time: the engine's lock stops it.
      `SELECT * FROM read_csv(${quoteLiteral(outside)} || '/secret.csv')`,
      `SELECT * FROM glob('/etc/*')`,
    ]) {
      const err = await rejection(validateDataset({ spec: makeSpec({ query }), baseDir: root, engine }));
      expect(err.type, query).toBe('DataAccessDenied');
      expect(err.message).not.toMatch(/secret-value|root:/);
    }
  });

  it('is one SELECT: a query that closes its subquery cannot write a registry file', async () => {
    const { root, engine, store } = await setup();
    const backdoor = path.join(root, 'home', 'registry', 'backdoor.json');
    await mkdir(path.dirname(backdoor), { recursive: true });
    const queries = [
      `SELECT 1 AS y, 2 AS a, 'p' AS b) ; COPY (SELECT '{"approved":true}') TO ${quoteLiteral(backdoor)} (FORMAT csv); SELECT * FROM (SELECT 1 AS y, 2 AS a, 'p' AS b`,
      `SELECT 1 AS y; COPY (SELECT 1) TO ${quoteLiteral(backdoor)}`,
      `COPY (SELECT 1) TO ${quoteLiteral(backdoor)}`,
      `ATTACH ${quoteLiteral(path.join(root, 'x.db'))}`,
      'INSTALL httpfs',
      'LOAD httpfs',
      `SET enable_external_access = true`,
      `SELECT * FROM query('COPY (SELECT 1) TO ''${backdoor}''')`,
    ];
    for (const query of queries) {
      const err = await rejection(ingestDataset({ spec: makeSpec({ query }), baseDir: root, store, engine }));
      expect(['SpecInvalid', 'DataUnreadable'], `${query}: ${err.message}`).toContain(err.type);
    }
    expect(existsSync(backdoor)).toBe(false);
    expect(existsSync(path.join(root, 'x.db'))).toBe(false);
  });

  it('still resolves relative file names against the spec folder, and keeps string values that are not paths', async () => {
    const { root, engine, store } = await setup();
    const query = `SELECT y, a, b FROM 'd.csv' WHERE b <> 'd.csv' UNION ALL SELECT y, a, b FROM read_csv(['d.csv'])`;
    expect((await ingestDataset({ spec: makeSpec({ query }), baseDir: root, store, engine })).rows).toBe(4);
  });
});

describe('the engine', () => {
  it('is locked: no external access beyond the roots, no extension loading, configuration locked, one statement per call', async () => {
    const { engine, outside } = await setup();
    const [row] = await engine.rows(
      `SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked, current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall`,
    );
    expect(row).toEqual({ ext: false, locked: true, autoload: false, autoinstall: false });
    await expect(engine.run('SET enable_external_access = true')).rejects.toThrow(/locked/);
    await expect(engine.rows(`SELECT * FROM read_csv(${quoteLiteral(path.join(outside, 'secret.csv'))})`)).rejects.toThrow(/Permission Error/);
    await expect(engine.rows('SELECT 1; SELECT 2')).rejects.toThrow(/expected one SQL statement, got 2/);
  });
});

describe('data.snapshot', () => {
  it('is read only from the artifact store: file:///dev/zero and other files are refused at once', async () => {
    const { root, outside, engine, store } = await setup();
    const sha = 'ab'.repeat(32);
    for (const uri of ['file:///dev/zero', pathToFileURL(path.join(outside, 'secret.csv')).href, pathToFileURL(path.join(root, 'd.csv')).href, `file:///dev/${sha.slice(0, 2)}/${sha}.parquet`]) {
      const spec = makeSpec({ source: undefined, snapshot: { uri, sha256: sha, bytes: 10 } });
      const err = await rejection(ingestDataset({ spec, baseDir: root, store, engine }));
      expect(err.type, uri).toBe('DataAccessDenied');
    }
  });

  it('stops at the recorded byte count: a store file of another size is not read', async () => {
    const { root, engine, store } = await setup();
    const ref = await ingestDataset({ spec: makeSpec({ source: 'd.csv' }), baseDir: root, store, engine });
    const spec = makeSpec({ source: undefined, snapshot: { uri: ref.uri, sha256: ref.sha256, bytes: ref.bytes - 1 } });
    const err = await rejection(ingestDataset({ spec, baseDir: root, store, engine }));
    expect(err.type).toBe('ArtifactCorrupt');
    const again = makeSpec({ source: undefined, snapshot: { uri: ref.uri, sha256: ref.sha256, bytes: ref.bytes } });
    expect((await ingestDataset({ spec: again, baseDir: root, store, engine })).rows).toBe(2);
  });
});

describe('data.schema', () => {
  it('is refused outside the roots, and a file that is not a schema is never quoted', async () => {
    const { root, access } = await setup();
    const denied = await rejection(loadDataSchemaFile('/etc/passwd', root, 'data.schema', access));
    expect(denied.type).toBe('DataAccessDenied');
    await writeFile(path.join(root, 'notes.json'), 'root:x:0:0:root:/root:/bin/bash\n');
    const bad = await rejection(loadDataSchemaFile('notes.json', root, 'data.schema', access));
    expect(bad.type).toBe('SpecInvalid');
    expect(bad.message).toMatch(/is not valid JSON: syntax error/);
    expect(bad.message).not.toMatch(/root:x/);
  });
});

describe('an engine with MLOPS_DATA_ROOTS=*', () => {
  it('reads anywhere but stays locked', async () => {
    const { outside } = await setup();
    const access: DataAccess = dataAccessFrom({ MLOPS_DATA_ROOTS: '*' });
    const engine = await DataEngine.open({ threads: 1, access });
    engines.push(engine);
    expect(await engine.rows(`SELECT count(*)::INT AS n FROM read_csv(${quoteLiteral(path.join(outside, 'secret.csv'))})`)).toEqual([{ n: 1 }]);
    await expect(engine.run('SET lock_configuration = false')).rejects.toThrow(/locked/);
    expect(await readdir(engine.scratchDir)).toBeDefined();
  });
});
