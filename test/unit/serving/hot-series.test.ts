/**
 * Hot series render exactly as prom-client's own counters and histograms do for the same
 * updates, so /metrics is unchanged by keeping them as plain numbers.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from '../../../src/serving/hot-series.js';

const buckets = [0.001, 0.005, 0.01, 1];
const values = [0, 0.0005, 0.001, 0.0010001, 0.005, 0.2, 1, 7.5];

describe('hot series', () => {
  it('render like prom-client counters and histograms, labelled and not', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const config = (registry: Registry) => ({ help: 'h', registers: [registry] });
    const counter = new Counter({ name: 'c_total', labelNames: ['route', 'status'] as const, ...config(theirs) });
    const hotCounter = new HotCounter({ name: 'c_total', labelNames: ['route', 'status'] as const, ...config(ours) });
    const histogram = new Histogram({ name: 'h_seconds', labelNames: ['route'] as const, buckets, ...config(theirs) });
    const hotHistogram = new HotHistogram({ name: 'h_seconds', labelNames: ['route'] as const, buckets, ...config(ours) });
    const plain = new Histogram({ name: 'p', buckets, ...config(theirs) });
    const hotPlain = new HotHistogram({ name: 'p', buckets, ...config(ours) });
    // Before any update: an unlabelled histogram shows zeros, labelled metrics show nothing.
    expect(await ours.metrics()).toBe(await theirs.metrics());

    for (const route of ['/a', '/b"quoted"']) {
      const series = hotHistogram.with({ route });
      for (const v of values) {
        histogram.observe({ route }, v);
        hotHistogram.observe(series, v);
        counter.inc({ route, status: '200' });
        hotCounter.with({ route, status: '200' }).value++;
      }
    }
    counter.inc({ route: '/a', status: '404' }, 3);
    hotCounter.with({ route: '/a', status: '404' }).value += 3;
    for (const v of values.slice(0, 3)) {
      plain.observe(v);
      hotPlain.observe(hotPlain.with({}), v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('keeps one series per label set and checks labels when it is created', () => {
    const counter = new HotCounter({ name: 'x_total', help: 'h', labelNames: ['model'] as const, registers: [] });
    expect(counter.with({ model: 'taxi' })).toBe(counter.with({ model: 'taxi' }));
    expect(counter.with({ model: 'taxi' })).not.toBe(counter.with({ model: 'churn' }));
    expect(() => counter.with({ modle: 'taxi' } as never)).toThrow(/takes the labels model, got modle/);
    expect(() => new HotHistogram({ name: 'y', help: 'h', buckets: [1, 1], registers: [] })).toThrow(/ascending/);
  });
});
