/**
 * Fresh request ids: random (version 4) UUIDs, as `crypto.randomUUID()` makes them, from the
 * same cryptographic source. `randomUUID()` joins its text from 20 pieces into a rope, which
 * every reader of the id (the `x-request-id` header, the inference log) must first flatten;
 * here each id is written into a byte buffer and read out as one flat string. Random bytes
 * are drawn 8 KiB at a time.
 */
import { randomFillSync } from 'node:crypto';

const hexDigits = Buffer.from('0123456789abcdef', 'latin1');
const random = Buffer.alloc(16 * 512);
let used = random.length;
const text = Buffer.alloc(36);

export function newRequestId(): string {
  if (used === random.length) {
    randomFillSync(random);
    used = 0;
  }
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = random[used + i]!;
    // The version (4) and the RFC 9562 variant (10xx), as randomUUID sets them.
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d;
    text[at++] = hexDigits[byte >> 4]!;
    text[at++] = hexDigits[byte & 15]!;
  }
  used += 16;
  return text.toString('latin1');
}
