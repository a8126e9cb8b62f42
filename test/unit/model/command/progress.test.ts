import { describe, expect, it } from 'vitest';
import { epochOf, parseProgressLine } from '../../../../src/model/kinds/command/progress.js';

describe('progress lines', () => {
  it('reads the JSON object after the prefix, keeping scalar fields', () => {
    expect(parseProgressLine('mlops:progress {"epoch":3,"loss":0.12}')).toEqual({ kind: 'progress', progress: { epoch: 3, loss: 0.12 } });
    expect(parseProgressLine('  mlops:progress   {"epoch":1,"phase":"warmup","best":true}\r')).toEqual({ kind: 'progress', progress: { epoch: 1, phase: 'warmup', best: true } });
  });

  it('drops nested, null and non-finite values, and cuts long strings', () => {
    const line = `mlops:progress {"epoch":2,"nested":{"a":1},"list":[1],"none":null,"note":"${'x'.repeat(500)}"}`;
    const parsed = parseProgressLine(line);
    expect(parsed.kind).toBe('progress');
    if (parsed.kind !== 'progress') return;
    expect(Object.keys(parsed.progress)).toEqual(['epoch', 'note']);
    expect(String(parsed.progress['note'])).toHaveLength(200);
  });

  it('ignores other lines and says what is wrong with a bad progress line', () => {
    expect(parseProgressLine('epoch 3 loss 0.12')).toEqual({ kind: 'other' });
    expect(parseProgressLine('mlops:progress')).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('needs a JSON object') });
    expect(parseProgressLine('mlops:progress {epoch: 3}')).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('not JSON') });
    expect(parseProgressLine('mlops:progress [1,2]')).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('JSON object') });
  });

  it('knows the epoch only when it is a non-negative integer', () => {
    expect(epochOf({ epoch: 4 })).toBe(4);
    expect(epochOf({ epoch: 1.5 })).toBeUndefined();
    expect(epochOf({ epoch: '4' })).toBeUndefined();
    expect(epochOf(undefined)).toBeUndefined();
  });
});
