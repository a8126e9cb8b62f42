import { describe, expect, it } from 'vitest';
import { ByteChunks } from '../../../src/serving/byte-chunks.js';

const text = (bytes: ByteChunks) => Buffer.concat(bytes.buffers()).toString('utf8');

describe('ByteChunks', () => {
  it('keeps appended text in order across chunk boundaries, counting UTF-8 bytes', () => {
    const bytes = new ByteChunks(16);
    const parts = ['{"a":1}\n', 'zürich→東京\n', 'x'.repeat(40), '\n', '🙂\n'];
    let total = 0;
    for (const part of parts) total += bytes.append(part);
    expect(text(bytes)).toBe(parts.join(''));
    expect(bytes.length).toBe(Buffer.byteLength(parts.join('')));
    expect(total).toBe(bytes.length);
    expect(bytes.buffers().length).toBeGreaterThan(1);
  });

  it('is empty until something is appended', () => {
    const bytes = new ByteChunks();
    expect(bytes.buffers()).toEqual([]);
    expect(bytes.length).toBe(0);
  });
});
