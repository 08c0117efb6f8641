import { defineConfig } from 'vitest/config';

// The root config does not list bench/ yet: `npx vitest run --config bench/vitest.config.ts`.
export default defineConfig({ test: { include: ['bench/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 60_000 } });
