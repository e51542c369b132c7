// Lint: ESLint's and typescript-eslint's recommended rules (type-aware rules are left to tsc).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.e2e/**', 'node_modules/**', 'src/core/language/syntax/generated/**', 'scratch/**', 'test-artifacts/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The webviews run in a browser page.
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Code that runs inside the browser page (playwright's page.evaluate callbacks).
    files: ['test/e2e/**', 'test/webview/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      // Typed LSP messages follow vscode-languageserver's `namespace X { export const type }` style.
      '@typescript-eslint/no-namespace': 'off',
    },
  },
);
