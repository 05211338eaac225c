import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // both cores: the suite is CPU-bound and its files are independent (vitest's default leaves one idle).
    maxWorkers: 2,
  },
});
