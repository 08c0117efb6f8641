import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-artifacts/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Pure domain logic: no I/O, no frameworks (style.md). Adapters import it, never the reverse.
    files: ['src/domain/**/*.ts', 'src/rules/{evaluate,counter,settings,voltage-band,load-rate,transition}.ts', 'src/alarms/lifecycle.ts', 'src/ingest/{topic,normalise,resolve,dedupe}.ts', 'src/archive/{csv,json,row,validate,columns}.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'pg', 'aedes', 'bullmq', 'ioredis', 'ws', 'fastify', '@electric-sql/*', 'mqtt', '**/*.pg.js', '**/db/*'], message: 'pure logic does no I/O: move this to an adapter' }] }],
    },
  },
  {
    // Tests reach into the page (window.__loadwatch) and fixtures where loose types are the honest ones.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['dashboards/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
