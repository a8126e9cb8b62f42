import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  MlopsBlessed,
  MlopsModelName,
  MlopsModelVersion,
  MlopsStage,
  mlopsSearchAttributes,
  searchAttributeCliArgs,
  searchAttributeFlagValues,
} from '../../../src/temporal/search-attributes.js';

describe('search attributes', () => {
  it('defines the four typed keys', () => {
    expect(MlopsModelName).toEqual({ name: 'MlopsModelName', type: 'KEYWORD' });
    expect(MlopsStage).toEqual({ name: 'MlopsStage', type: 'KEYWORD' });
    expect(MlopsModelVersion).toEqual({ name: 'MlopsModelVersion', type: 'INT' });
    expect(MlopsBlessed).toEqual({ name: 'MlopsBlessed', type: 'BOOL' });
    expect(mlopsSearchAttributes).toHaveLength(4);
  });

  it('renders the Temporal CLI --search-attribute values', () => {
    expect(searchAttributeFlagValues).toEqual([
      'MlopsModelName=Keyword',
      'MlopsStage=Keyword',
      'MlopsModelVersion=Int',
      'MlopsBlessed=Bool',
    ]);
    expect(searchAttributeCliArgs()).toEqual(searchAttributeFlagValues.flatMap((v) => ['--search-attribute', v]));
  });

  it('is safe to import from workflow code: @temporalio/common only', async () => {
    const source = await readFile(new URL('../../../workflows/search-attributes.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['@temporalio/common']);
  });
});
