// Lint rules. The strict part is workflows/ and src/shared/ (the sandbox-safe code that workflows
// and the rest of src/ both import): code there is replayed by Temporal and must be
// deterministic, so Node built-ins, clocks and randomness outside the workflow APIs are banned.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];

const noNodeBuiltins = nodeBuiltins.flatMap((name) => [
  { name, message: 'workflow code is replayed in a sandbox: no Node built-ins; do it in an activity' },
  { name: `node:${name}`, message: 'workflow code is replayed in a sandbox: no Node built-ins; do it in an activity' },
]);

export default tseslint.config(
  { ignores: ['node_modules/**', '.mlops/**', 'examples/**/data/**', 'bench/results/**', 'coverage/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNodeBuiltins,
          patterns: [
            {
              group: ['../activities/*', '../activities', '../src/*', '../src/**', '!../src/shared', '!../src/shared/**'],
              allowTypeImports: true,
              message: 'workflows may import activities and src modules as types only (import type …); sandbox-safe values live in src/shared/',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNodeBuiltins,
          patterns: [
            {
              group: ['../*', '../**', '../../**'],
              allowTypeImports: true,
              message: 'src/shared/ is bundled into the workflow sandbox: it imports other modules as types only (import type …)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use the workflow API (uuid4 or a seeded value from an activity): Math.random breaks replay' },
        { object: 'Date', property: 'now', message: 'time in workflows comes from the workflow clock; Date.now is only allowed through workflow APIs' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() in a loop from @temporalio/workflow' },
        { name: 'process', message: 'workflow code cannot read the process environment; pass values in the input' },
      ],
    },
  },
);
