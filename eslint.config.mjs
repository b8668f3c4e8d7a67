// Lint for every TypeScript project of the workspace. Type-aware rules catch the bugs that
// matter most in a streaming pipeline: floating promises and misused async callbacks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'libs/contract/src/generated/**', '**/*.js', '**/*.mjs', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.spec.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The web UI: DOM and JSX, type-checked by its own configs.
    files: ['apps/ui/src/**/*.ts', 'apps/ui/src/**/*.tsx'],
    languageOptions: {
      parserOptions: { project: ['./apps/ui/tsconfig.json', './apps/ui/tsconfig.spec.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
