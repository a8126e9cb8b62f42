/**
 * The command line of the taxi demo's data generator (src/demo/taxi-trips.ts):
 *
 *   tsx examples/taxi/generate.ts --out DIR --months N --rows-per-month R [--format parquet|csv]
 *     [--seed 42] [--start-month 0]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateTrips } from '../../src/demo/taxi-trips.js';

export { generateTrips, monthLabel, type GenerateTripsOptions } from '../../src/demo/taxi-trips.js';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: path.join(path.dirname(fileURLToPath(import.meta.url)), 'data') },
      months: { type: 'string', default: '6' },
      'rows-per-month': { type: 'string', default: '20000' },
      format: { type: 'string', default: 'parquet' },
      seed: { type: 'string', default: '42' },
      'start-month': { type: 'string', default: '0' },
    },
  });
  const format = values.format;
  if (format !== 'parquet' && format !== 'csv') throw new Error(`--format must be parquet or csv, not "${format}"`);
  const started = Date.now();
  const files = await generateTrips({
    outDir: path.resolve(values.out),
    months: positiveInt('--months', values.months),
    rowsPerMonth: positiveInt('--rows-per-month', values['rows-per-month']),
    seed: Number.parseInt(values.seed, 10),
    format,
    startMonth: Number.parseInt(values['start-month'], 10),
  });
  for (const f of files) console.log(f);
  console.error(`wrote ${files.length} files in ${Date.now() - started} ms`);
}

function positiveInt(flag: string, text: string): number {
  const n = Number.parseInt(text, 10);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, not "${text}"`);
  return n;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
