/**
 * Writes the taxi demo data: one file of synthetic trips per month (trips-2024-01.parquet, …)
 * via DuckDB. Deterministic: the same options produce byte-identical files. Used by `mlops dev`
 * and the tests; examples/taxi/generate.ts is its command line.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DataEngine, quoteLiteral } from '../data/engine.js';
import { monthTrips, type Trip } from './trip-model.js';

/** Options of {@link generateTrips}. */
export interface GenerateTripsOptions {
  /** Folder for the monthly files; created if missing. */
  readonly outDir: string;
  /** How many consecutive months to write. */
  readonly months: number;
  readonly rowsPerMonth: number;
  /** PRNG seed; default 42. */
  readonly seed?: number;
  /** Default `parquet`. */
  readonly format?: 'parquet' | 'csv';
  /**
   * Index of the first month (0 = 2024-01). Drift continues from there, so months 6–7 written
   * later (e.g. into an `incoming/` folder for monitoring) match a run that wrote all eight.
   */
  readonly startMonth?: number;
}

/** Generates the monthly trip files and returns their paths in month order. */
export async function generateTrips(opts: GenerateTripsOptions): Promise<string[]> {
  const { outDir, months, rowsPerMonth, seed = 42, format = 'parquet', startMonth = 0 } = opts;
  await mkdir(outDir, { recursive: true });
  // One thread: the row-group layout, and so the file's bytes, must not depend on scheduling.
  // The engine may write where it is told to and nowhere else, whatever MLOPS_DATA_ROOTS says
  // (the roots bound what workflows read; the generator is the user's own tool).
  const access = { unrestricted: false, folders: [path.resolve(outDir)], prefixes: [], storeFolders: [] };
  const engine = await DataEngine.open({ threads: 1, memoryLimit: '512MB', access });
  try {
    const files: string[] = [];
    for (let m = startMonth; m < startMonth + months; m++) {
      const file = path.join(outDir, `trips-${monthLabel(m)}.${format}`);
      await writeMonth(engine, monthTrips(seed, m, rowsPerMonth), file, format);
      files.push(file);
    }
    return files;
  } finally {
    engine.close();
  }
}

/** `2024-01` for month index 0. */
export function monthLabel(monthIndex: number): string {
  return new Date(Date.UTC(2024, monthIndex, 1)).toISOString().slice(0, 7);
}

async function writeMonth(engine: DataEngine, trips: readonly Trip[], file: string, format: 'parquet' | 'csv'): Promise<void> {
  await engine.withConnection(async (conn) => {
    await conn.run(`CREATE OR REPLACE TEMP TABLE trips (
      pickup_us BIGINT, PULocationID INTEGER, DOLocationID INTEGER, trip_distance DOUBLE,
      passenger_count INTEGER, hour INTEGER, weekday INTEGER, duration_min DOUBLE)`);
    const appender = await conn.createAppender('trips', 'main', 'temp');
    for (const t of trips) {
      appender.appendBigInt(t.pickupMicros);
      appender.appendInteger(t.puLocationId);
      appender.appendInteger(t.doLocationId);
      appender.appendDouble(t.tripDistance);
      if (t.passengerCount === null) appender.appendNull();
      else appender.appendInteger(t.passengerCount);
      appender.appendInteger(t.hour);
      appender.appendInteger(t.weekday);
      appender.appendDouble(t.durationMin);
      appender.endRow();
    }
    appender.closeSync();
    const options = format === 'parquet' ? '(FORMAT parquet, COMPRESSION zstd)' : '(FORMAT csv, HEADER true)';
    await conn.run(`COPY (
      SELECT make_timestamp(pickup_us) AS pickup_datetime, PULocationID, DOLocationID, trip_distance,
             passenger_count, hour, weekday, duration_min
      FROM trips) TO ${quoteLiteral(file)} ${options}`);
  });
}
