import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import { loadSpecFile, parseSpec, specJsonSchema } from '../../../src/spec/parse.js';
import { mlpModel } from '../model/fixtures.js';

const minimal = {
  name: 'taxi-duration',
  task: 'regression',
  data: { source: 'data/*.parquet', target: 'duration_min', features: [{ name: 'trip_distance', type: 'numeric' }] },
};

describe('pipeline spec', () => {
  it('fills every default from a minimal spec', () => {
    const spec = parseSpec(minimal, 'test');
    expect(spec.model).toMatchObject({ hiddenUnits: [64, 64], epochs: 20, learningRate: 0.001, seed: 42, optimizer: 'adam', gpu: false });
    expect(mlpModel(spec.model).batchSize).toBeUndefined(); // adapts to the data when training starts
    expect(spec.data.split).toEqual({ method: 'random', test: 0.2, seed: 42 });
    expect(spec.approval.mode).toBe('manual');
    expect(spec.evaluation).toMatchObject({ thresholds: {}, mustBeatChampion: false });
  });

  it('names every wrong field in one line', () => {
    const bad = { ...minimal, name: 'Taxi Duration', model: { learningRate: -1 } };
    const err = (() => {
      try {
        parseSpec(bad, 'spec.yaml');
      } catch (e) {
        return e;
      }
    })() as MlopsError;
    expect(err).toBeInstanceOf(MlopsError);
    expect(err.type).toBe('SpecInvalid');
    expect(err.message).toContain('spec.yaml');
    expect(err.message).toContain('name: name must match');
    expect(err.message).toContain('model.learningRate');
    expect(err.message).not.toContain('\n');
  });

  it('rejects a spec with both source and query, and unknown fields', () => {
    expect(() => parseSpec({ ...minimal, data: { ...minimal.data, query: 'select 1' } }, 't')).toThrow(/exactly one of data.source/);
    expect(() => parseSpec({ ...minimal, modle: {} }, 't')).toThrow(/modle/);
  });

  it('loads YAML and resolves relative paths against the spec file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spec-'));
    const file = path.join(dir, 'spec.yaml');
    await writeFile(file, 'name: m\ntask: classification\ndata:\n  source: data/x.csv\n  target: y\n  features:\n    - { name: "Body Mass (g)", type: numeric }\n');
    const spec = await loadSpecFile(file);
    expect(spec.data.source).toBe(path.join(dir, 'data/x.csv'));
    expect(spec.data.features[0]?.name).toBe('Body Mass (g)');
  });

  it('records the spec folder for a command and makes an ONNX model path absolute; URIs and argv stay as written', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spec-'));
    const write = async (name: string, model: unknown) => {
      await writeFile(path.join(dir, name), JSON.stringify({ ...minimal, model }));
      return (await loadSpecFile(path.join(dir, name))).model;
    };
    expect(await write('cmd.json', { type: 'command', command: ['python3', 'train.py'] })).toMatchObject({ command: ['python3', 'train.py'], workDir: dir });
    expect(await write('onnx.json', { type: 'onnx', uri: 'models/m.onnx' })).toEqual({ type: 'onnx', uri: path.join(dir, 'models/m.onnx') });
    const uri = `s3://bucket/models/${'a'.repeat(64)}.onnx`;
    expect(await write('s3.json', { type: 'onnx', uri })).toEqual({ type: 'onnx', uri });
  });

  it('says which file is missing or malformed', async () => {
    await expect(loadSpecFile('/nope/spec.yaml')).rejects.toThrow(/cannot read spec file \/nope\/spec.yaml: no such file/);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spec-'));
    await writeFile(path.join(dir, 'bad.json'), '{ not json');
    await expect(loadSpecFile(path.join(dir, 'bad.json'))).rejects.toThrow(/is not valid JSON/);
  });

  it('exports a JSON Schema', () => {
    const schema = specJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'task', 'data', 'model', 'evaluation', 'approval', 'monitoring']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'task', 'data']));
  });
});
