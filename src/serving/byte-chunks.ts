/**
 * An append-only byte buffer made of fixed-size chunks outside the JavaScript heap, written
 * with a few binary primitives (the inference log's records, ./inference-log-codec.ts).
 *
 * The inference log holds a fraction of a second of rows before handing them to its thread.
 * Kept as JavaScript values, those rows would survive young-generation collections and be
 * copied and promoted each time; encoded at once, they wait where the collector never scans.
 * Each chunk owns its ArrayBuffer, so the chunks can be transferred to a worker without a copy.
 */
export class ByteChunks {
  private readonly full: Buffer[] = [];
  private current: Buffer;
  // Numbers go through a DataView, whose setters the JIT compiles inline (Buffer's writeDoubleLE
  // is a function call with bounds checks).
  private view: DataView;
  private offset = 0;
  /** Bytes of the chunks already full. */
  private before = 0;

  constructor(private readonly chunkBytes = 256 * 1024) {
    this.current = Buffer.allocUnsafeSlow(chunkBytes);
    this.view = viewOf(this.current);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.before + this.offset;
  }

  u8(value: number): void {
    this.room(1);
    this.current[this.offset++] = value;
  }

  u32(value: number): void {
    this.room(4);
    this.view.setUint32(this.offset, value, true);
    this.offset += 4;
  }

  f64(value: number): void {
    this.room(8);
    this.view.setFloat64(this.offset, value, true);
    this.offset += 8;
  }

  /** A string as its UTF-8 byte length (u32) and bytes. */
  str(value: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.room(4 + value.length * 3);
    const buf = this.current;
    const start = this.offset + 4;
    let at = start;
    // Short ASCII strings (ids, category codes) are copied here: cheaper than a call into C++.
    if (value.length <= 64) {
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          at = -1;
          break;
        }
        buf[at++] = c;
      }
    } else at = -1;
    const written = at >= 0 ? at - start : buf.write(value, start, 'utf8');
    this.view.setUint32(this.offset, written, true);
    this.offset = start + written;
  }

  /** Bytes copied as they are: all of `src`, or `src[start..end)`. */
  copy(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.room(n);
    const buf = this.current;
    let at = this.offset;
    // A short copy in a loop is cheaper than the set() call and the view it needs.
    if (n <= 24) for (let i = start; i < end; i++) buf[at++] = src[i]!;
    else {
      buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), at);
      at += n;
    }
    this.offset = at;
  }

  /** A string known to be ASCII (a number's digits, an ISO time), one byte per character. */
  ascii(value: string): void {
    this.room(value.length);
    const buf = this.current;
    let at = this.offset;
    for (let i = 0; i < value.length; i++) buf[at++] = value.charCodeAt(i);
    this.offset = at;
  }

  /** Text as UTF-8 bytes, nothing else. */
  text(value: string): void {
    this.room(value.length * 3);
    this.offset += this.current.write(value, this.offset, 'utf8');
  }

  /** The bytes as a list of Buffers, in order (views, not copies). */
  buffers(): Buffer[] {
    return this.offset > 0 ? [...this.full, this.current.subarray(0, this.offset)] : [...this.full];
  }

  private room(bytes: number): void {
    if (this.offset + bytes <= this.current.length) return;
    if (this.offset > 0) {
      this.full.push(this.current.subarray(0, this.offset));
      this.before += this.offset;
    }
    this.current = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, bytes));
    this.view = viewOf(this.current);
    this.offset = 0;
  }
}

function viewOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads what a {@link ByteChunks} wrote, in the same order, from its buffers joined. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Buffer) {
    this.view = viewOf(bytes);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  u8(): number {
    return this.bytes[this.offset++]!;
  }

  u32(): number {
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(): number {
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  str(): string {
    const start = this.strStart();
    return this.bytes.toString('utf8', start, this.offset);
  }

  /** Skips a string without decoding it: its UTF-8 bytes are `bytes[start..offset after)`; returns start. */
  strStart(): number {
    const length = this.u32();
    const start = this.offset;
    this.offset += length;
    return start;
  }

  /** Where reading has got to. */
  get position(): number {
    return this.offset;
  }
}
