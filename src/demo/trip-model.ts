/**
 * A synthetic model of city taxi trips, after the trip-duration task of the course notes.
 * Pure and seeded: the same (seed, month) always yields the same trips. Later months drift
 * the way the notes describe model decay: trips get longer, traffic slower (so the same
 * distance takes longer: concept drift) and the zone mix shifts towards the airports.
 */

/** One generated trip; `pickupMicros` is microseconds since the Unix epoch (UTC). */
export interface Trip {
  readonly pickupMicros: bigint;
  readonly puLocationId: number;
  readonly doLocationId: number;
  readonly tripDistance: number;
  /** null for about 1% of trips, as in real trip records. */
  readonly passengerCount: number | null;
  readonly hour: number;
  /** ISO day of week: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  readonly durationMin: number;
}

/** A small fast PRNG (mulberry32) returning floats in [0, 1). */
export type Random = () => number;

/** A seeded PRNG; the seed is mixed first so nearby seeds give unrelated streams. */
export function seededRandom(...seedParts: number[]): Random {
  let state = seedParts.reduce((h, part) => Math.imul(h ^ (part | 0), 0x9e3779b1) ^ (h >>> 15), 0x6d2b79f5) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A zone: its TLC-style id, how busy it is, and how congested its streets are. */
interface Zone {
  readonly id: number;
  readonly weight: number;
  /** Divides the speed: 1 is free-flowing, 1.5 is gridlock. */
  readonly congestion: number;
  readonly airport?: boolean;
}

// Ids borrowed from the NYC TLC zone map so the demo data looks familiar.
const zones: readonly Zone[] = [
  { id: 132, weight: 4, congestion: 1.0, airport: true },
  { id: 138, weight: 3, congestion: 1.05, airport: true },
  ...[161, 162, 163, 164, 170, 186, 230, 236, 237, 142, 239, 48, 68, 79, 234, 249, 107, 263, 262, 141, 140, 229, 100, 90, 113, 114, 43, 50].map(
    (id, i): Zone => ({ id, weight: 2 + ((i * 7) % 9), congestion: 1 + ((i * 5) % 11) / 20 }),
  ),
];

// Trips per hour of day: quiet nights, morning and evening peaks.
const hourWeights = [3, 2, 1.5, 1, 1, 1.5, 3, 6, 8, 7, 6, 6, 6.5, 6.5, 7, 7.5, 8, 9, 9, 8, 7, 6, 5, 4];

/** Drift knobs for month index `m` (0 = the first month of the series). */
function drift(m: number) {
  return {
    distanceShift: 0.04 * m,
    speedFactor: Math.max(0.6, 1 - 0.035 * m),
    airportBoost: 1 + 0.25 * m,
  };
}

/**
 * The trips of month `monthIndex` (0 = January 2024), `rows` of them. Independent of how
 * many other months are generated, so months can be produced one at a time.
 */
export function monthTrips(seed: number, monthIndex: number, rows: number): Trip[] {
  const random = seededRandom(seed, monthIndex);
  const start = Date.UTC(2024, monthIndex, 1);
  const days = Math.round((Date.UTC(2024, monthIndex + 1, 1) - start) / 86_400_000);
  const d = drift(monthIndex);
  const puWeights = zones.map((z) => z.weight * (z.airport ? d.airportBoost : 1));
  const doWeights = zones.map((z) => z.weight);
  const trips: Trip[] = [];
  for (let i = 0; i < rows; i++) {
    const hour = pick(random, hourWeights);
    const ms = start + Math.floor(random() * days) * 86_400_000 + hour * 3_600_000 + Math.floor(random() * 3_600_000);
    const weekday = ((new Date(ms).getUTCDay() + 6) % 7) + 1;
    const pu = zones[pick(random, puWeights)] as Zone;
    // Trips from an airport go into the city, not to the other airport.
    const dropoff = zones[pu.airport ? 2 + pick(random, doWeights.slice(2)) : pick(random, doWeights)] as Zone;
    const distance = tripDistance(random, pu, dropoff, d.distanceShift);
    const speed = speedMph(hour, weekday, distance, pu, dropoff) * d.speedFactor;
    const noise = Math.exp(0.12 * gaussian(random));
    const duration = clamp(2 + (distance / speed) * 60 * noise + gaussian(random), 1, 180);
    trips.push({
      pickupMicros: BigInt(ms) * 1000n,
      puLocationId: pu.id,
      doLocationId: dropoff.id,
      tripDistance: round2(distance),
      passengerCount: random() < 0.01 ? null : passengers(random),
      hour,
      weekday,
      durationMin: round2(duration),
    });
  }
  return trips;
}

function tripDistance(random: Random, pu: Zone, dropoff: Zone, shift: number): number {
  if (pu.airport || dropoff.airport) return clamp(9 + random() * 11 + shift * 4, 5, 40);
  return clamp(Math.exp(Math.log(2.2) + shift + 0.6 * gaussian(random)), 0.1, 40);
}

function speedMph(hour: number, weekday: number, distance: number, pu: Zone, dropoff: Zone): number {
  const weekend = weekday >= 6;
  const rush = !weekend && ((hour >= 7 && hour <= 9) || (hour >= 16 && hour <= 19));
  const time = rush ? 0.7 : hour < 6 ? 1.4 : weekend ? 1.1 : 1;
  // Long trips use highways; zone congestion slows both ends.
  const highway = 1 + 0.25 * Math.log1p(distance / 5);
  return (16 * time * highway) / ((pu.congestion + dropoff.congestion) / 2);
}

function passengers(random: Random): number {
  const r = random();
  return r < 0.7 ? 1 : r < 0.85 ? 2 : r < 0.92 ? 3 : r < 0.96 ? 4 : r < 0.98 ? 5 : 6;
}

function pick(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = random() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] as number;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** A standard normal draw (Box–Muller). */
function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
