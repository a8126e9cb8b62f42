import { describe, expect, it } from 'vitest';
import { barChart, escapeHtml, finiteExtent, formatNumber, heatmap, histogramChart, lineChart, renderPage, table } from '../../../src/report/html.js';
import { textTable } from '../../../src/report/text-table.js';

const evil = `<script>alert("x")</script> & 'q'`;

/** No script, no external reference: the page is self-contained and inert. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/(src|href)=["']?https?:/i);
  expect(html).not.toMatch(/<link|@import|url\(/i);
}

describe('report primitives', () => {
  it('escape text', () => {
    expect(escapeHtml(evil)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
  });

  it('format numbers with 4 significant digits', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1234567.5)).toBe('1.235e+6');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('renderPage: title, subtitle and sections, escaped, no external assets', () => {
    const html = renderPage({ title: evil, subtitle: evil, sections: [{ title: evil, html: table(['h', evil], [[evil, 1.23456]]) }] });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<td class="n">1.235</td>');
    expect(html.match(/&lt;script&gt;/g)?.length).toBe(6);
    expectSelfContained(html);
  });

  it('charts are inline SVG with escaped labels', () => {
    const charts = [
      histogramChart({ edges: [0, 1, 2, 3], series: [{ name: evil, counts: [1, 2, 3] }, { name: 'current', counts: [3, 2, 1] }] }),
      barChart({ labels: [evil, 'b'], series: [{ name: 'reference', values: [0.5, -0.25] }] }),
      lineChart({ xLabel: 'epoch', yLabel: evil, series: [{ name: 'loss', points: [[1, 0.5], [2, 0.25], [3, Number.NaN]] }] }),
      heatmap({ rowLabels: ['a', evil], colLabels: ['a', 'b'], values: [[5, 1], [0, 7]] }),
    ];
    for (const svg of charts) {
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/s);
      expect(svg).not.toContain('<script');
      expect(svg).not.toContain('NaN,');
    }
    expect(charts[0]?.match(/<rect [^>]*><title>/g)).toHaveLength(6);
    expect(charts[3]).toContain('>7</text>');
  });

  it('charts survive empty input', () => {
    expect(histogramChart({ edges: [], series: [] })).toContain('</svg>');
    expect(barChart({ labels: [], series: [] })).toContain('</svg>');
    expect(lineChart({ xLabel: 'x', yLabel: 'y', series: [] })).toContain('</svg>');
    expect(heatmap({ rowLabels: [], colLabels: [], values: [] })).toContain('</svg>');
  });

  it('textTable pads columns and right-aligns numbers', () => {
    expect(textTable(['name', 'n'], [['a', 1.23456], ['long name', 10]])).toBe('name           n\na          1.235\nlong name     10');
  });
});

describe('finiteExtent', () => {
  it('spans the finite values, falls back to [0, 1], and copes with a large test set', () => {
    expect(finiteExtent([3, -2, Number.NaN, Infinity, 7])).toEqual([-2, 7]);
    expect(finiteExtent([Number.NaN])).toEqual([0, 1]);
    // Math.min(...values) overflows the stack at this size.
    const many = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    expect(finiteExtent(many)).toEqual([0, 999]);
  });
});
