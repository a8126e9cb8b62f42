/**
 * Prometheus series updated on every prediction, kept as plain numbers and handed to
 * prom-client's registry when it is scraped.
 *
 * prom-client checks and hashes the label set on each `inc`/`observe`, even through a labelled
 * child; at tens of thousands of requests a second that was about 1 µs a request, a visible
 * share of a batch-1 prediction (bench/serving.bench.ts). Here a caller keeps the {@link
 * CounterSeries} or {@link HistogramSeries} of a label set and updates it with one addition;
 * labels are checked once, when the series is created. The registry renders these metrics
 * exactly as its own (`registerMetric` takes any object with prom-client's `get()` shape).
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';

/** What prom-client's registry reads from a metric when it renders the exposition. */
interface Exposition {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: MetricValueWithName<string>[];
}

interface MetricConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  readonly registers: readonly Registry[];
}

type Labels<L extends string> = Readonly<Record<L, string>>;

/** One label set of a counter. */
export interface CounterSeries {
  value: number;
}

/** One label set of a histogram: per-bucket (not cumulative) counts, the last one for +Inf. */
export interface HistogramSeries {
  readonly counts: Float64Array;
  sum: number;
}

abstract class HotMetric<L extends string, S> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum' as const;
  private readonly labelNames: readonly L[];
  protected readonly series = new Map<string, { readonly labels: Labels<L>; readonly series: S }>();

  constructor(config: MetricConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames ?? [];
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of a label set (created at zero on first use); keep it, it is the hot path. */
  with(labels: Labels<L>): S {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || this.labelNames.some((l) => typeof labels[l] !== 'string')) {
      throw new Error(`${this.name} takes the labels ${this.labelNames.join(', ') || '(none)'}, got ${given.join(', ') || '(none)'}`);
    }
    const key = JSON.stringify(this.labelNames.map((l) => labels[l]));
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels: { ...labels }, series: this.create() }));
    return entry.series;
  }

  protected abstract create(): S;
  abstract get(): Promise<Exposition>;
}

export class HotCounter<L extends string = never> extends HotMetric<L, CounterSeries> {
  readonly type = 'counter';

  protected create(): CounterSeries {
    return { value: 0 };
  }

  async get(): Promise<Exposition> {
    const values = [...this.series.values()].map(({ labels, series }) => ({ labels, value: series.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class HotHistogram<L extends string = never> extends HotMetric<L, HistogramSeries> {
  readonly type = 'histogram';
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[];

  constructor(config: MetricConfig<L> & { readonly buckets: readonly number[] }) {
    super(config);
    if (config.buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= config.buckets[i - 1]!))) {
      throw new RangeError(`${config.name}: buckets must be finite and ascending, got ${config.buckets.join(', ')}`);
    }
    this.buckets = [...config.buckets];
    // Like prom-client, a histogram without labels shows its (zero) series before any observation.
    if ((config.labelNames ?? []).length === 0) this.with({} as Labels<L>);
  }

  protected create(): HistogramSeries {
    return { counts: new Float64Array(this.buckets.length + 1), sum: 0 };
  }

  /** Adds one observation to a series (Prometheus buckets are `le`: a value on a bound counts in it). */
  observe(series: HistogramSeries, value: number): void {
    const { buckets } = this;
    let i = 0;
    while (i < buckets.length && value > buckets[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
  }

  async get(): Promise<Exposition> {
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, series } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += series.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
      });
      // Every observation is in exactly one bucket, +Inf included: their sum is the count.
      const count = cumulative + series.counts[this.buckets.length]!;
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
