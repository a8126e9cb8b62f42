/**
 * importOnnxModel refuses a model that cannot serve the spec before anything is stored, with a
 * non-retryable ModelInvalid naming what to fix. The graphs are built with onnx-proto here.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { onnx as proto } from 'onnx-proto';
import { onnx } from '../../../src/model/onnx-proto.js';
import { describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import { importOnnxModel } from '../../../src/model/kinds/onnx/import.js';
import { FileArtifactStore } from '../../../src/registry/artifact-store.js';
import { parseSpec } from '../../../src/spec/parse.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import { useTempDir } from './temp-dir.js';

const inTemp = useTempDir('mlops-onnx-import-');
const { DataType } = onnx.TensorProto;

const spec = (task: 'regression' | 'classification', features = ['x1', 'x2']): PipelineSpec =>
  parseSpec({ name: 'byo', task, data: { source: 'x.csv', target: 'y', features: features.map((name) => ({ name, type: 'numeric' })) }, model: { type: 'onnx', uri: 'm.onnx' } }, 'test');

const info = (name: string, elemType: number, dims: (number | string)[]): proto.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** A one-node graph: `op(inputs) → out`, float tensors. */
function graph(op: string, inputs: proto.IValueInfoProto[], output: proto.IValueInfoProto, attribute: proto.IAttributeProto[] = []): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'g', node: [{ opType: op, input: inputs.map((i) => i.name ?? ''), output: [output.name ?? ''], attribute }], input: inputs, output: [output] },
  }).finish();
}

/** Writes the model, imports it into a fresh store and returns the error, checking nothing was stored. */
async function refusal(name: string, bytes: Uint8Array | undefined, s: PipelineSpec, classes?: string[]): Promise<MlopsError> {
  const dir = inTemp(name);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'model.onnx');
  if (bytes) await writeFile(file, bytes);
  const store = new FileArtifactStore(path.join(dir, 'store'));
  const err = await importOnnxModel({ spec: s, onnxFile: file, store, kind: 'onnx', classes }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MlopsError);
  expect(err).toMatchObject({ type: 'ModelInvalid', retryable: false });
  expect(await readdir(path.join(dir, 'store')).catch(() => [])).toEqual([]);
  return err as MlopsError;
}

const matrix = (width: number) => info('features', DataType.FLOAT, ['N', width]);

describe('importOnnxModel refuses bad models before storing anything', () => {
  it('a missing model.onnx', async () => {
    expect((await refusal('missing', undefined, spec('regression'))).message).toMatch(/cannot read the ONNX model .*model\.onnx: there is no such file; check the path/);
  });

  it('a file that is not ONNX, and a graph onnxruntime cannot load', async () => {
    expect((await refusal('garbage', new Uint8Array([0xff, 0xff, 0xff, 0x07, 1, 2]), spec('regression'))).message).toMatch(/not an ONNX model/);
    const unknownOp = graph('NoSuchOperator', [matrix(2)], info('y', DataType.FLOAT, ['N', 1]));
    expect((await refusal('unloadable', unknownOp, spec('regression'))).message).toMatch(/onnxruntime cannot load the graph \(.*\); export it again with a supported opset/);
  });

  it('inputs that do not match the spec’s features', async () => {
    const perFeature = graph('Concat', [info('x1', DataType.FLOAT, ['N', 1]), info('other', DataType.FLOAT, ['N', 1])], info('y', DataType.FLOAT, ['N', 2]), [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
    expect((await refusal('names', perFeature, spec('regression'))).message).toMatch(/the graph's inputs \(x1: float32\[N,1\], other: float32\[N,1\]\) do not match the spec's features \(x1 \(numeric\), x2 \(numeric\)\); no input for x2: give it one input per feature named exactly as the feature/);
    const tooWide = graph('Identity', [matrix(3)], info('y', DataType.FLOAT, ['N', 3]));
    expect((await refusal('width', tooWide, spec('regression'))).message).toMatch(/input "features" has 3 columns, but the spec lists 2 features \(x1, x2\)/);
    const stringInput = graph('Identity', [info('x1', DataType.STRING, ['N', 1])], info('y', DataType.STRING, ['N', 1]));
    expect((await refusal('types', stringInput, spec('regression', ['x1']))).message).toMatch(/input "x1" is string, but feature "x1" is numeric/);
  });

  it('outputs of the wrong shape', async () => {
    const twoColumns = graph('Identity', [matrix(2)], info('y', DataType.FLOAT, ['N', 2]));
    expect((await refusal('shape', twoColumns, spec('regression'))).message).toMatch(/output "y" has shape \[2,2\] for 2 rows; a regression answers \[N\] or \[N,1\]/);
    const threeProbabilities = graph('Softmax', [matrix(2)], info('probabilities', DataType.FLOAT, ['N', 2]), [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
    expect((await refusal('classes', threeProbabilities, spec('classification'), ['a', 'b', 'c'])).message).toMatch(/output "probabilities" has shape \[2,2\] for 2 rows and 3 classes \(a, b, c\); the probabilities are \[N,C\]/);
  });

  it('probabilities without labels', async () => {
    const softmax = graph('Softmax', [matrix(2)], info('probabilities', DataType.FLOAT, ['N', 2]), [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
    expect((await refusal('labels', softmax, spec('classification'))).message).toMatch(/probabilities without labels: list them in model\.classes, in the order of the probability columns/);
  });

  it('accepts a good graph and records the labels in the manifest', async () => {
    const dir = inTemp('good');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, graph('Softmax', [matrix(2)], info('probabilities', DataType.FLOAT, ['N', 2]), [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]));
    const store = new FileArtifactStore(path.join(dir, 'store'));
    const { manifest } = await importOnnxModel({ spec: spec('classification'), onnxFile: file, store, kind: 'onnx', classes: ['no', 'yes'] });
    expect(JSON.parse((await store.readBytes(manifest)).toString('utf8'))).toMatchObject({ format: 'temporal-mlops/model@2', kind: 'onnx', classes: ['no', 'yes'], features: [{ name: 'x1' }, { name: 'x2' }] });
  });
});
