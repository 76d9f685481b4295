import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['services/**/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start whole pipelines of processes; on 2 cores they are kinder in sequence.
    fileParallelism: false,
    reporters: ['default'],
  },
});
