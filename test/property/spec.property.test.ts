/**
 * Property-based bad input against the spec parser (fast-check): random JSON values, and a valid
 * spec with random fields replaced. parseSpec returns a spec or throws a one-line SpecInvalid
 * naming the field; nothing else escapes.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isMlopsError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { fuzzRuns, Tally } from './fuzz-budget.js';

const valid = {
  name: 'taxi',
  task: 'regression',
  data: { source: 'd.csv', target: 'y', features: [{ name: 'a', type: 'numeric' }], split: { method: 'random', test: 0.2, seed: 1 } },
  model: { hiddenUnits: [8], epochs: 2 },
  evaluation: { thresholds: { rmse: { upper: 8 } } },
  approval: { mode: 'manual', timeout: '1h' },
  monitoring: { interval: '1h', drift: { threshold: 0.2 } },
};
const paths = ['name', 'task', 'data', 'data.source', 'data.query', 'data.target', 'data.features', 'data.split', 'data.snapshot', 'data.schema', 'model', 'model.type', 'model.epochs', 'model.hiddenUnits', 'evaluation.thresholds', 'approval.timeout', 'monitoring.interval', 'monitoring.drift', 'sweep', '__proto__', 'constructor'];
const weird = fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 400 }), fc.constantFrom('\ud800', 'a'.repeat(300), -1, 1e308, Number.NaN, null, [], {}, '../../etc/passwd', 'x: [', 0));

function replaced(path: string, value: unknown): unknown {
  const copy = structuredClone(valid) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  Object.defineProperty(node, keys.at(-1)!, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

describe('the spec parser under random input', () => {
  const tally = new Tally('spec parser');
  afterAll(() => tally.report());

  const expectCleanParse = (input: unknown) => {
    try {
      parseSpec(input, 'fuzz');
    } catch (err) {
      expect(isMlopsError(err), String(err)).toBe(true);
      if (!isMlopsError(err)) return;
      expect(err.type).toBe('SpecInvalid');
      expect(err.message).not.toMatch(/\n/);
    }
  };

  it('random values and random fields of a valid spec: a spec, or a one-line SpecInvalid', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(weird, fc.tuple(fc.constantFrom(...paths), weird).map(([p, v]) => replaced(p, v))), async (input) => tally.check(async () => expectCleanParse(input))),
      { numRuns: fuzzRuns(500) },
    );
  });
});
