import { defineConfig } from 'vitest/config';

// Two tiers: unit tests sit beside the code; end-to-end tests start real
// processes (lbd, MariaDB, HAProxy) and live in test/.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Real servers on fixed loopback ports: files run one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
