import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real servers on free ports; files run in parallel, tests within a file in order.
    pool: 'forks',
    reporters: ['default'],
  },
});
