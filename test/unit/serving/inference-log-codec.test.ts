/**
 * What the request thread encodes, the log's thread turns into exactly the NDJSON row that
 * JSON.stringify would make of the row object: features as the model saw them, predictions
 * of both tasks, odd values and text included.
 */
import { describe, expect, it } from 'vitest';
import type { Prediction } from '../../../src/model/types.js';
import { ByteChunks } from '../../../src/serving/byte-chunks.js';
import { decodeRecords, writeFeedback, writePredictions, type DecodedRows, type RowSchema } from '../../../src/serving/inference-log-codec.js';
import type { PredictionRow } from '../../../src/serving/inference-log.js';

const schema: RowSchema = {
  model: 'taxi',
  version: 3,
  alias: 'production',
  features: [
    { name: 'trip_distance', type: 'numeric' },
    { name: 'zone "é"', type: 'categorical' },
  ],
};

const text = (rows: DecodedRows) => Buffer.concat(rows.bytes.buffers()).toString('utf8');

describe('inference log records', () => {
  it('decode to the rows JSON.stringify makes, in order, grouped by model, kind and date', () => {
    const instances = [
      { trip_distance: 2.5, 'zone "é"': '132' },
      { trip_distance: null, 'zone "é"': 7 },
      { trip_distance: Number.NaN, 'zone "é"': '東京\n' },
      { trip_distance: '3', 'zone "é"': true },
      { 'zone "é"': null },
    ];
    const predictions: Prediction[] = [1 / 3, -0, Number.POSITIVE_INFINITY, 1e21, { label: 'churns', probabilities: { stays: 0.25, churns: 0.75 } }];
    const time = Date.parse('2026-11-25T23:59:59.999Z');
    const out = new ByteChunks(64);
    writePredictions(out, 1, schema.features, time, 'req-1', instances, predictions);
    // The same schema a millisecond later: the next day's group, and its own time.
    writePredictions(out, 1, schema.features, time + 1, 'req-3', [instances[0]!], [predictions[0]!]);
    writeFeedback(out, 'taxi', time + 1, '{"a":1}\n{"b":2}\n');
    writePredictions(out, 2, [], time, 'req-2', [{}], [undefined as unknown as Prediction]);

    const groups = decodeRecords(Buffer.concat(out.buffers()), new Map([[1, schema], [2, { ...schema, model: 'other', alias: null, features: [] }]]));
    expect(groups.map(({ model, kind, date, rows }) => [model, kind, date, rows])).toEqual([
      ['taxi', 'predictions', '2026-11-25', 5],
      ['taxi', 'predictions', '2026-11-26', 1],
      ['taxi', 'feedback', '2026-11-26', 2],
      ['other', 'predictions', '2026-11-25', 1],
    ]);
    const expected = instances.map((instance, index) => {
      const p = predictions[index]!;
      const row: PredictionRow = {
        time: '2026-11-25T23:59:59.999Z',
        request_id: 'req-1',
        index,
        model: 'taxi',
        version: 3,
        alias: 'production',
        features: {
          trip_distance: typeof instance.trip_distance === 'number' && Number.isFinite(instance.trip_distance) ? instance.trip_distance : null,
          'zone "é"': instance['zone "é"'] == null ? null : String(instance['zone "é"']),
        },
        prediction: typeof p === 'number' ? (Number.isFinite(p) ? p : null) : p.label,
        ...(typeof p === 'object' ? { probabilities: p.probabilities } : {}),
      };
      return `${JSON.stringify(row)}\n`;
    });
    expect(text(groups[0]!)).toBe(expected.join(''));
    expect(text(groups[2]!)).toBe('{"a":1}\n{"b":2}\n');
    expect(text(groups[1]!)).toBe(expected[0]!.replace('2026-11-25T23:59:59.999Z', '2026-11-26T00:00:00.000Z').replace('req-1', 'req-3'));
    expect(text(groups[3]!)).toBe('{"time":"2026-11-25T23:59:59.999Z","request_id":"req-2","index":0,"model":"other","version":3,"alias":null,"features":{},"prediction":null}\n');
  });

  it('refuses records that name a schema it was never sent', () => {
    const out = new ByteChunks();
    writePredictions(out, 9, [], 0, 'r', [{}], [1]);
    expect(() => decodeRecords(Buffer.concat(out.buffers()), new Map())).toThrow(/never sent/);
  });
});
