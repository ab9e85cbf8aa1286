import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
    // Real tofu runs are CPU-heavy on a 2-core machine: keep parallelism modest.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    globalSetup: ['tests/global-setup.ts'],
  },
});
