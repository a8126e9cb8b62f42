/**
 * An append-only UTF-8 byte buffer made of fixed-size chunks outside the JavaScript heap.
 *
 * The inference log holds a fraction of a second of rows before writing them. Kept as strings,
 * those rows survive a few young-generation collections and get copied and promoted each time
 * (profiled: most of the log's cost was garbage collection). Encoded into a Buffer at once,
 * each row's string dies young, and the bytes wait where the collector never scans.
 */
export class ByteChunks {
  private readonly full: Buffer[] = [];
  private current: Buffer;
  private offset = 0;
  /** Bytes appended so far. */
  length = 0;

  constructor(private readonly chunkBytes = 256 * 1024) {
    this.current = Buffer.allocUnsafe(chunkBytes);
  }

  /** Appends `text` as UTF-8; returns its length in bytes. */
  append(text: string): number {
    // Latin-1 text is at most 3 bytes per UTF-16 unit in UTF-8; anything larger gets its own chunk.
    if (this.offset + text.length * 3 > this.current.length) this.startChunk(text.length * 3);
    const written = this.current.write(text, this.offset, 'utf8');
    this.offset += written;
    this.length += written;
    return written;
  }

  /** The bytes as a list of Buffers, in order (views, not copies). */
  buffers(): Buffer[] {
    return this.offset > 0 ? [...this.full, this.current.subarray(0, this.offset)] : [...this.full];
  }

  private startChunk(atLeast: number): void {
    if (this.offset > 0) this.full.push(this.current.subarray(0, this.offset));
    this.current = Buffer.allocUnsafe(Math.max(this.chunkBytes, atLeast));
    this.offset = 0;
  }
}
