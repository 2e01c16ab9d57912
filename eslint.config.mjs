// Lint config. The layer rules of docs/architecture (core is pure, webview never bundles the
// reader, only src/vscode imports vscode) live here because tsconfig `types: []` cannot stop
// `import 'vscode'` (module resolution still finds @types/vscode).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'http', 'https', 'net',
  'os', 'path', 'process', 'stream', 'url', 'util', 'worker_threads', 'zlib', 'perf_hooks', 'readline',
];
const pureLayer = (extra = []) => ({
  'no-restricted-imports': ['error', {
    paths: [
      { name: 'vscode', message: 'The pure core must not import vscode; put it in src/vscode.' },
      ...NODE_BUILTINS.map((name) => ({ name, message: 'The pure core must not use Node built-ins; take a host interface instead.' })),
    ],
    patterns: [
      { group: ['node:*'], message: 'The pure core must not use Node built-ins; take a host interface instead.' },
      { group: ['**/vscode/**', '**/cli/**', '**/node/**', '**/webview/**'], message: 'Dependencies point inwards: core imports only core.' },
      ...extra,
    ],
  }],
  'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname', 'window', 'document'],
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', '**/*.d.ts', 'bench/results/**', 'bench/tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'multi-line'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**/*.ts'], rules: pureLayer() },
  {
    files: ['src/shared/**/*.ts'],
    rules: pureLayer([{ group: ['**/core/onnx/**', '**/core/protobuf/**'], message: 'shared/ carries types only.' }]),
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser frame; talk to the host via src/shared/protocol.ts.' }],
        patterns: [
          { group: ['**/core/onnx/**', '**/core/protobuf/**', '**/core/stats/**', '**/core/index'], message: 'The webview must never bundle the reader: import only src/shared and core report types.' },
          { group: ['**/src/vscode/**', '**/src/cli/**', 'node:*'], message: 'The webview cannot use host code.' },
        ],
      }],
    },
  },
  {
    files: ['src/vscode/**/*.ts', 'src/cli/**/*.ts', 'src/node/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/webview/**'], message: 'Host code never imports the webview bundle.' }],
      }],
    },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.ts', 'esbuild.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
