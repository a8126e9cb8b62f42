/** The ESLint rules on workflows/ catch what would break replay. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

async function lintWorkflowSource(code: string, filePath = 'workflows/example.ts'): Promise<string[]> {
  const eslint = new ESLint();
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('workflow determinism lint', () => {
  it('bans Node built-ins, clocks, randomness and value imports of activities', async () => {
    const messages = await lintWorkflowSource(
      [
        "import fs from 'node:fs';",
        "import { createActivities } from '../activities/index.js';",
        'export const a = Math.random() + Date.now() + fs.constants.F_OK;',
        'export const b = createActivities;',
        'setTimeout(() => undefined, 1);',
      ].join('\n'),
    );
    expect(messages.join('\n')).toMatch(/no Node built-ins/);
    expect(messages.join('\n')).toMatch(/as types only/);
    expect(messages.join('\n')).toMatch(/Math.random breaks replay/);
    expect(messages.join('\n')).toMatch(/workflow clock/);
    expect(messages.join('\n')).toMatch(/use sleep\(\)/);
  });

  it('accepts type-only imports of activities', async () => {
    const messages = await lintWorkflowSource("import type { MlopsActivities } from '../activities/index.js';\nexport type A = MlopsActivities;\n");
    expect(messages).toEqual([]);
  });

  it('lets workflows import sandbox-safe values from src/shared/, and holds src/shared/ to the same rules', async () => {
    expect(await lintWorkflowSource("import { durationMs } from '../src/shared/duration.js';\nexport const a = durationMs('1h');\n")).toEqual([]);
    const messages = await lintWorkflowSource(
      ["import os from 'node:os';", "import { parseSpec } from '../spec/parse.js';", 'export const a = [os, parseSpec, Date.now()];'].join('\n'),
      'src/shared/example.ts',
    );
    expect(messages.join('\n')).toMatch(/no Node built-ins/);
    expect(messages.join('\n')).toMatch(/src\/shared\/ is bundled into the workflow sandbox/);
    expect(messages.join('\n')).toMatch(/workflow clock/);
  });

  it('the real workflow and shared files pass', async () => {
    const eslint = new ESLint();
    const results = await eslint.lintFiles(['workflows/', 'src/shared/']);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
  });
});
