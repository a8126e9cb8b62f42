import { describe, expect, it } from 'vitest';
import { hyperparametersOf } from '../../../src/model/model-spec.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { mlpModel } from './fixtures.js';

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
      type: 'mlp',
      hiddenUnits: [64, 64],
      learningRate: 0.001,
      seed: 42,
      optimizer: 'adam',
      validationSplit: 0.1,
      backend: 'auto',
      gpu: false,
    });
    // Left out, batch size, epochs, early stopping and weight decay adapt to the data when training starts (effectiveModel).
    expect(mlpModel(parse({}).model).batchSize).toBeUndefined();
    expect(mlpModel(parse({}).model).epochs).toBeUndefined();
    expect(mlpModel(parse({}).model).weightDecay).toBeUndefined();
    expect(mlpModel(parse({ model: { earlyStopping: {} } }).model).earlyStopping).toEqual({ patience: 5, minDelta: 0, restoreBest: true });
  });

  it('says what to fix for out-of-range hyperparameters', () => {
    expect(problem({ model: { learningRate: -0.1 } })).toMatch(/model\.learningRate: model\.learningRate must be > 0/);
    expect(problem({ model: { hiddenUnits: [16, 0] } })).toMatch(/model\.hiddenUnits\.1: hidden layer sizes must be positive integers/);
    expect(problem({ model: { batchSize: 0 } })).toMatch(/model\.batchSize: model\.batchSize must be a positive integer/);
    expect(problem({ model: { optimizer: 'lbfgs' } })).toMatch(/model\.optimizer/);
    expect(problem({ model: { weightDecay: -0.01 } })).toMatch(/model\.weightDecay: model\.weightDecay must be ≥ 0 \(0 turns it off\)/);
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

describe('model.type', () => {
  it('a spec without model.type is the built-in MLP, as before the field existed', () => {
    expect(parse({ model: { epochs: 3 } }).model).toMatchObject({ type: 'mlp', epochs: 3, hiddenUnits: [64, 64] });
  });

  it('command: argv with the documented defaults', () => {
    expect(parse({ model: { type: 'command', command: ['python3', 'train.py'] } }).model).toEqual({
      type: 'command',
      command: ['python3', 'train.py'],
      hyperparameters: {},
      dataFormat: 'parquet',
      timeout: '2h',
      validationSplit: 0.1,
      seed: 42,
      gpu: false,
    });
    expect(problem({ model: { type: 'command', command: [] } })).toMatch(/model\.command: model\.command is the argv to run/);
    expect(problem({ model: { type: 'command', command: ['x'], classes: ['only'] } })).toMatch(/model\.classes: model\.classes lists at least two labels/);
    expect(problem({ model: { type: 'command', command: ['x'], epochs: 3 } })).toMatch(/model/);
  });

  it('onnx: a uri and optional classes; MLP options are refused', () => {
    expect(parse({ model: { type: 'onnx', uri: 'm.onnx', classes: ['a', 'b'] } }).model).toEqual({ type: 'onnx', uri: 'm.onnx', classes: ['a', 'b'] });
    expect(problem({ model: { type: 'onnx' } })).toMatch(/model\.uri/);
    expect(problem({ model: { type: 'onnx', uri: 'm.onnx', epochs: 3 } })).toMatch(/epochs/);
  });

  it('an unknown type names the choices', () => {
    expect(problem({ model: { type: 'xgboost' } })).toMatch(/model\.type: model\.type must be one of mlp, command, onnx/);
  });

  it('a command sweep varies keys of model.hyperparameters; an onnx model has nothing to sweep', () => {
    const spec = parse({ model: { type: 'command', command: ['x'], hyperparameters: { depth: 3 } }, sweep: { method: 'random', trials: 2, parameters: { depth: { min: 2, max: 8, integer: true }, eta: [0.1, 0.3] } } });
    expect(spec.sweep?.parameters).toEqual({ depth: { min: 2, max: 8, scale: 'linear', integer: true }, eta: [0.1, 0.3] });
    expect(problem({ model: { type: 'onnx', uri: 'm.onnx' }, sweep: { parameters: { depth: [1] } } })).toMatch(/sweep: model\.type onnx is not trained here/);
    expect(problem({ sweep: { parameters: { depth: [1] } } })).toMatch(/sweep\.parameters: depth cannot be swept on the built-in MLP; vary one of hiddenUnits/);
  });
});
