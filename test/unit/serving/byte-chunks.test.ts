import { describe, expect, it } from 'vitest';
import { ByteChunks, ByteReader } from '../../../src/serving/byte-chunks.js';

describe('ByteChunks', () => {
  it('reads back what was written, in order, across chunk boundaries', () => {
    const bytes = new ByteChunks(16);
    const strings = ['{"a":1}', 'zürich→東京', 'x'.repeat(40), '', '🙂'];
    strings.forEach((s, i) => {
      bytes.u8(i);
      bytes.str(s);
      bytes.f64(i === 2 ? -0.1 : i * 1e300);
      bytes.u32(4_000_000_000 + i);
    });
    expect(bytes.buffers().length).toBeGreaterThan(1);
    const joined = Buffer.concat(bytes.buffers());
    expect(bytes.length).toBe(joined.length);
    const read = new ByteReader(joined);
    strings.forEach((s, i) => {
      expect(read.u8()).toBe(i);
      expect(read.str()).toBe(s);
      expect(read.f64()).toBe(i === 2 ? -0.1 : i * 1e300);
      expect(read.u32()).toBe(4_000_000_000 + i);
    });
    expect(read.done).toBe(true);
  });

  it('is empty until something is written, and each chunk owns its memory (so it can be transferred)', () => {
    const bytes = new ByteChunks(16);
    expect(bytes.buffers()).toEqual([]);
    expect(bytes.length).toBe(0);
    for (let i = 0; i < 10; i++) bytes.f64(i);
    const buffers = bytes.buffers();
    expect(new Set(buffers.map((b) => b.buffer)).size).toBe(buffers.length);
  });
});
