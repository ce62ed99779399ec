// ESLint (flat config) with typescript-eslint's type-aware rules over src/. Run by `npm test` (`npm run lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', '.bench-out/**', '.test-artifacts/**', 'tmp/**'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: an unhandled error instead of a named one.
      '@typescript-eslint/no-floating-promises': 'error',
      // Exported functions state their types: the contract between modules is read, not inferred.
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      // `_`-prefixed names are deliberately unused (a destructured field left out, an interface parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Off, with reasons. `async` marks methods that implement a Promise-returning port (fakes, folder
      // store, lazy loaders) even when this implementation never waits; a forgotten await is caught by
      // no-floating-promises / no-misused-promises instead.
      '@typescript-eslint/require-await': 'off',
      // The code writes `xs[i]!` to mark an index known to be in range; with noUncheckedIndexedAccess off the
      // rule calls each of those ~340 marks unnecessary and would strip them.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
