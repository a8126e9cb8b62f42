/**
 * `npm run bench [suite…]`: runs the benchmark suites (bench/*.bench.ts), prints a markdown
 * table and writes bench/results/results.json and results.md. Running some suites keeps the
 * other suites' last results in those files (each row says when its suite ran).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, BenchSuite } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Benches write their data to temporary folders, which the default data roots (the working
// directory and MLOPS_HOME) leave out; as vitest.config.ts does for the tests, allow them.
process.env.MLOPS_DATA_ROOTS ??= [process.cwd(), os.tmpdir()].join(',');
const wanted = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const outDir = path.join(here, 'results');
/** A result stamped with when its suite ran (results of suites not rerun are kept). */
type RecordedResult = BenchResult & { readonly at?: string };
const results: RecordedResult[] = [];

for (const file of files) {
  const suite = file.replace(/\.bench\.ts$/, '');
  if (wanted.length > 0 && !wanted.includes(suite)) continue;
  process.stderr.write(`running ${suite}…\n`);
  const mod = (await import(path.join(here, file))) as { default: BenchSuite };
  const at = new Date().toISOString();
  results.push(...(await mod.default()).map((r) => ({ ...r, at })));
}
const ran = new Set(results.map((r) => r.suite));
const earlier = await readFile(path.join(outDir, 'results.json'), 'utf8').then(
  (text) => (JSON.parse(text) as { results: RecordedResult[] }).results.filter((r) => !ran.has(r.suite)),
  () => [],
);
results.push(...earlier);
results.sort((a, b) => a.suite.localeCompare(b.suite));

// JSON keeps an earlier run's NaN ("not measured") as null.
const fmt = (x: number | null | undefined) => (x === undefined || x === null ? '' : Number(x.toPrecision(4)).toString());
const rows = results.map((r) =>
  [`${r.suite}${r.at ? ` (${r.at.slice(0, 16).replace('T', ' ')})` : ''}`, r.name, `${fmt(r.value)} ${r.unit}`, r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : '', fmt(r.ratio), r.target ?? '', r.pass === undefined ? '' : r.pass ? 'yes' : 'NO', r.note ?? ''].join(' | '),
);
const markdown = [
  `Benchmarks — ${new Date().toISOString()}, node ${process.version}, ${process.platform}/${process.arch}`,
  '',
  '| suite | measure | value | baseline (same run) | ratio | target | met | note |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r} |`),
  '',
].join('\n');

await mkdir(outDir, { recursive: true });
await writeFile(path.join(outDir, 'results.json'), JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
await writeFile(path.join(outDir, 'results.md'), markdown);
process.stdout.write(markdown);
process.exit(0);
