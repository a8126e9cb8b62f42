import { describe, expect, it } from 'vitest';
import { hyperparametersOf } from '../../../src/model/model-spec.js';
import { parseSpec } from '../../../src/spec/parse.js';

const base = { name: 'm', task: 'regression', data: { source: 'a.csv', target: 'y', features: [{ name: 'x', type: 'numeric' }] } };
const parse = (extra: object) => parseSpec({ ...base, ...extra }, 'test');
const problem = (extra: object) => {
  try {
    parse(extra);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the spec to be invalid');
};

describe('the model section', () => {
  it('fills defaults for every training option', () => {
    expect(parse({}).model).toEqual({
      hiddenUnits: [64, 64],
      learningRate: 0.001,
      seed: 42,
      optimizer: 'adam',
      validationSplit: 0.1,
      backend: 'auto',
      gpu: false,
    });
    // Left out, batch size, epochs and early stopping adapt to the data when training starts (effectiveModel).
    expect(parse({}).model.batchSize).toBeUndefined();
    expect(parse({}).model.epochs).toBeUndefined();
    expect(parse({ model: { earlyStopping: {} } }).model.earlyStopping).toEqual({ patience: 5, minDelta: 0, restoreBest: true });
  });

  it('says what to fix for out-of-range hyperparameters', () => {
    expect(problem({ model: { learningRate: -0.1 } })).toMatch(/model\.learningRate: model\.learningRate must be > 0/);
    expect(problem({ model: { hiddenUnits: [16, 0] } })).toMatch(/model\.hiddenUnits\.1: hidden layer sizes must be positive integers/);
    expect(problem({ model: { batchSize: 0 } })).toMatch(/model\.batchSize: model\.batchSize must be a positive integer/);
    expect(problem({ model: { optimizer: 'lbfgs' } })).toMatch(/model\.optimizer/);
    expect(problem({ model: { classWeights: { a: -1 } } })).toMatch(/class weights must be > 0/);
    expect(problem({ model: { earlyStopping: { patience: 3 }, validationSplit: 0 } })).toMatch(/model\.earlyStopping watches the validation loss: set model\.validationSplit above 0/);
  });

  it('separates hyperparameters from run settings', () => {
    const model = parse({ model: { batchSize: 32, epochs: 20, backend: 'cpu', gpu: true, heartbeatTimeout: '10s' } }).model;
    expect(Object.keys(hyperparametersOf(model)).sort()).toEqual(['batchSize', 'epochs', 'hiddenUnits', 'learningRate', 'optimizer', 'seed', 'validationSplit']);
  });
});

describe('the sweep section', () => {
  it('validates swept values with the model field rules', () => {
    expect(problem({ sweep: { parameters: { learningRate: [0.01, -1] } } })).toMatch(/sweep\.parameters\.learningRate\.1: model\.learningRate must be > 0/);
    expect(problem({ sweep: { parameters: { hiddenUnits: [[8], [0]] } } })).toMatch(/sweep\.parameters\.hiddenUnits\.1\.0: hidden layer sizes must be positive/);
    expect(problem({ sweep: { method: 'random', parameters: { epochs: { min: 0, max: 5 } } } })).toMatch(/sweep\.parameters\.epochs: min: model\.epochs must be a positive integer/);
    expect(problem({ sweep: { method: 'random', parameters: { learningRate: { min: 0, max: 1, scale: 'log' } } } })).toMatch(/scale: log needs min > 0/);
    expect(problem({ sweep: { parameters: {} } })).toMatch(/sweep\.parameters names no model field to vary/);
    expect(problem({ sweep: { parameters: { dropout: [0.1] } } })).toMatch(/sweep\.parameters/);
  });

  it('keeps ranges and trials to random search, and bounds the grid', () => {
    expect(problem({ sweep: { parameters: { learningRate: { min: 0.001, max: 0.1 } } } })).toMatch(/is a range, which only method: random can sample/);
    expect(problem({ sweep: { parameters: { learningRate: [0.1] }, trials: 3 } })).toMatch(/sweep\.trials applies to method: random/);
    const many = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(problem({ sweep: { parameters: { epochs: many, batchSize: many } } })).toMatch(/the grid has 1600 combinations \(at most 1000\)/);
  });

  it('parses a valid sweep with defaults, and parsing the result again changes nothing', () => {
    const spec = parse({ sweep: { method: 'random', trials: 4, parameters: { learningRate: { min: 0.0001, max: 0.1, scale: 'log' }, epochs: { min: 2, max: 9 } } } });
    expect(spec.sweep).toEqual({
      method: 'random',
      trials: 4,
      concurrency: 2,
      parameters: { learningRate: { min: 0.0001, max: 0.1, scale: 'log', integer: false }, epochs: { min: 2, max: 9, scale: 'linear', integer: true } },
    });
    expect(parseSpec(spec, 'again')).toEqual(spec);
  });
});
