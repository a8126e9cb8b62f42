/**
 * Property-based bad input against the data readers (fast-check): random CSV, JSON and NDJSON
 * bytes and shapes as data.source, and random SQL as data.query. Each either reads or fails with
 * a one-line DataInvalid / DataUnreadable (or, for SQL, SpecInvalid / DataAccessDenied); none
 * hangs, none writes outside the store, and the registry is untouched.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataAccessFrom } from '../../src/data/data-access.js';
import { DataEngine } from '../../src/data/engine.js';
import { ingestDataset } from '../../src/data/ingest.js';
import { isMlopsError } from '../../src/errors.js';
import { FileArtifactStore } from '../../src/registry/artifact-store.js';
import { makeSpec } from '../unit/data/helpers.js';
import { fuzzRuns, Tally, within } from './fuzz-budget.js';

let root: string;
let engine: DataEngine;
let store: FileArtifactStore;
let registryDigest: string;
const registryDir = () => path.join(root, 'home', 'registry');

async function digestOf(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).sort()) hash.update(name).update(await readFile(path.join(dir, name)));
  return hash.digest('hex');
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mlops-fuzz-data-'));
  await mkdir(registryDir(), { recursive: true });
  await writeFile(path.join(registryDir(), 'taxi.json'), '{"name":"taxi","versions":[]}');
  registryDigest = await digestOf(registryDir());
  engine = await DataEngine.open({ threads: 1, memoryLimit: '512MB', access: dataAccessFrom({ MLOPS_DATA_ROOTS: root, MLOPS_HOME: path.join(root, 'home') }, root) });
  store = new FileArtifactStore(path.join(root, 'home', 'artifacts'));
});
afterAll(async () => {
  engine?.close();
  await rm(root, { recursive: true, force: true });
});

/** The outcome of one read: fine, or one of the allowed errors on one line. */
async function expectCleanOutcome(read: Promise<unknown>, allowed: readonly string[], what: string): Promise<void> {
  const err = await within(read, 30_000, what).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return;
  expect(isMlopsError(err), `${what}: ${String(err)}`).toBe(true);
  if (!isMlopsError(err)) return;
  expect(allowed, `${what}: ${err.type} ${err.message}`).toContain(err.type);
  expect(err.message).not.toMatch(/\n/);
}

const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.double().map(String), fc.integer().map(String), fc.constantFrom('', '"', '""', ',', 'NaN', 'inf', '\ud800', 'null', '1e999'));
const csvLines = fc.array(fc.tuple(fc.array(cell, { minLength: 0, maxLength: 5 }), fc.constantFrom(',', ';', '\t')).map(([cells, delimiter]) => cells.join(delimiter)), { maxLength: 12 });
const header = fc.constantFrom('y,a,b', 'a,b', 'y,a,b,c', '', 'y;a;b', '"y","a","b"', 'y,a,a');
const csvBytes = fc.oneof(
  fc.tuple(header, csvLines).map(([h, lines]) => Buffer.from([h, ...lines].join('\n'))),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
);
const jsonRow = fc.dictionary(fc.constantFrom('y', 'a', 'b', 'c', ''), fc.oneof(fc.jsonValue(), fc.constantFrom('\ud800')), { maxKeys: 4 });
const jsonBytes = fc.oneof(
  fc.array(jsonRow, { maxLength: 8 }).map((rows) => Buffer.from(JSON.stringify(rows))),
  fc.array(jsonRow, { maxLength: 8 }).map((rows) => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).map((s) => Buffer.from(s)),
);

describe('data readers under random input', () => {
  const tally = new Tally('data readers');
  afterAll(async () => {
    tally.report();
    expect(await digestOf(registryDir())).toBe(registryDigest);
  });

  it('random CSV and JSON files: read, or a one-line DataInvalid / DataUnreadable; no hang', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.tuple(fc.constant('csv'), csvBytes), fc.tuple(fc.constantFrom('json', 'ndjson'), jsonBytes)), async ([ext, bytes]) =>
        tally.check(async () => {
          const file = `d${n++}.${ext}`;
          await writeFile(path.join(root, file), bytes);
          await expectCleanOutcome(ingestDataset({ spec: makeSpec({ source: file }), baseDir: root, store, engine }), ['DataInvalid', 'DataUnreadable'], `${file} ${bytes.toString('utf8').slice(0, 120)}`);
        }),
      ),
      { numRuns: fuzzRuns(40) },
    );
  });

  it('random SQL as data.query: one SELECT or a one-line refusal; nothing written', async () => {
    const fragments = fc.constantFrom(
      'SELECT 1 AS y, 2 AS a, \'p\' AS b', ')', '(', ';', "COPY (SELECT 1) TO 'x.csv'", 'ATTACH \'x.db\'', 'INSTALL httpfs', 'FROM read_csv(\'/etc/passwd\')',
      "FROM 'd0.csv'", 'UNION ALL', 'WHERE', '--', '/*', "'", 'PRAGMA version', 'SET threads = 1', 'EXPORT DATABASE \'out\'', 'CREATE TABLE t AS', 'SELECT * FROM glob(\'/*\')',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragments, { minLength: 1, maxLength: 6 }), async (parts) =>
        tally.check(async () => {
          const query = parts.join(' ');
          await expectCleanOutcome(ingestDataset({ spec: makeSpec({ query }), baseDir: root, store, engine }), ['DataInvalid', 'DataUnreadable', 'SpecInvalid', 'DataAccessDenied'], query);
        }),
      ),
      { numRuns: fuzzRuns(60) },
    );
    const written = (await readdir(root)).filter((f) => !/^d\d+\.(csv|json|ndjson)$/.test(f) && f !== 'home');
    expect(written).toEqual([]);
  });
});
