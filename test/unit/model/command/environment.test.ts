import { describe, expect, it } from 'vitest';
import { commandEnvironment, contractVariables } from '../../../../src/model/kinds/command/environment.js';

const paths = { trainData: '/w/train.csv', validationData: '/w/validation.csv', modelDir: '/w/model', checkpointDir: '/w/ckpt', specFile: '/w/spec.json' };

describe('the command environment', () => {
  it('sets every contract variable', () => {
    const env = commandEnvironment({ PATH: '/usr/bin' }, paths, { lr: 0.01, layers: [8, 4] }, 7);
    expect(Object.fromEntries(contractVariables.map((v) => [v, env[v]]))).toEqual({
      MLOPS_TRAIN_DATA: '/w/train.csv',
      MLOPS_VALIDATION_DATA: '/w/validation.csv',
      MLOPS_MODEL_DIR: '/w/model',
      MLOPS_CHECKPOINT_DIR: '/w/ckpt',
      MLOPS_HYPERPARAMETERS: '{"lr":0.01,"layers":[8,4]}',
      MLOPS_SPEC: '/w/spec.json',
      MLOPS_SEED: '7',
    });
  });

  it('leaves MLOPS_VALIDATION_DATA unset when there is no holdout', () => {
    const env = commandEnvironment({ MLOPS_VALIDATION_DATA: '/stale.csv' }, { ...paths, validationData: undefined }, {}, 1);
    expect(env).not.toHaveProperty('MLOPS_VALIDATION_DATA');
  });

  it("passes the worker's environment through, less its settings and credentials", () => {
    const env = commandEnvironment(
      { PATH: '/usr/bin', HOME: '/home/u', CUDA_VISIBLE_DEVICES: '0', MLOPS_S3_SECRET: 's', AWS_SECRET_ACCESS_KEY: 'k', TEMPORAL_TLS_KEY: 't', PYTHONUNBUFFERED: '0' },
      paths,
      {},
      1,
    );
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/home/u', CUDA_VISIBLE_DEVICES: '0', PYTHONUNBUFFERED: '0' });
    expect(Object.keys(env).filter((k) => /^(AWS_|TEMPORAL_)/.test(k) || k === 'MLOPS_S3_SECRET')).toEqual([]);
  });
});
