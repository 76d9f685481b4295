// eslint for the whole tree (npm run lint, run by npm test): eslint's and typescript-eslint's
// recommended rules. The type-aware rule sets are left out: on the 2-core development machine they
// add about 30 s to every run, on top of tsc.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(globalIgnores(['dist/', '.data/', 'test-results/', 'playwright-report/']), js.configs.recommended, tseslint.configs.recommended, {
  languageOptions: { globals: globals.node },
  rules: {
    // Express tells an error handler by its four parameters, so an unused `_next` has to stay.
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
  },
});
