/**
 * A small CSV line checker for error messages. When DuckDB cannot sniff a CSV's dialect (a
 * malformed line among the first rows), it falls back to reading one text column and never
 * says which line is wrong; this finds that line so the message can name it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** A record whose field count differs from the header's. */
export interface MalformedLine {
  /** 1-based line number where the record starts (the header is line 1). */
  readonly line: number;
  readonly fields: number;
  readonly expected: number;
}

/** Lines read at most: DuckDB sniffs the first 20,480 rows, so a dialect problem sits there. */
const maxLines = 100_000;

/**
 * The first record of `file` whose number of fields (split on `delimiter`, honouring double
 * quotes, also across line breaks) differs from the header's; undefined when there is none.
 */
export async function firstMalformedLine(file: string, delimiter: string): Promise<MalformedLine | undefined> {
  const raw = createReadStream(file);
  const input = file.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let expected: number | undefined;
  let lineNo = 0;
  let recordStart = 1;
  let fields = 1;
  let inQuotes = false;
  try {
    for await (const line of lines) {
      lineNo++;
      if (!inQuotes) {
        recordStart = lineNo;
        fields = 1;
      }
      for (const ch of line) {
        if (ch === '"') inQuotes = !inQuotes;
        else if (ch === delimiter && !inQuotes) fields++;
      }
      if (inQuotes) continue;
      if (line === '' && expected !== undefined) continue;
      if (expected === undefined) expected = fields;
      else if (fields !== expected) return { line: recordStart, fields, expected };
      if (lineNo >= maxLines) break;
    }
    return undefined;
  } finally {
    lines.close();
    raw.destroy();
  }
}
