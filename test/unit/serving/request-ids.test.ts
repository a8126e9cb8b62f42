import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../../src/serving/request-ids.js';

describe('request ids', () => {
  it('are version 4 UUIDs, as crypto.randomUUID makes them, and never repeat', () => {
    const ids = Array.from({ length: 20_000 }, () => newRequestId());
    for (const id of ids.slice(0, 2000)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('use every hex digit in every random position (the random bytes reach each one)', () => {
    const ids = Array.from({ length: 4000 }, () => newRequestId());
    for (let at = 0; at < 36; at++) {
      if ([8, 13, 14, 18, 19, 23].includes(at)) continue; // dashes, the version digit, the variant digit
      const digits = new Set(ids.map((id) => id[at]));
      expect(digits.size, `position ${at}`).toBe(16);
    }
    // The variant digit takes exactly its four values.
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
