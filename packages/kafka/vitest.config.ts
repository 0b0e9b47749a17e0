import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'kafka',
    include: ['test/**/*.test.ts'],
    // Builds the development broker if it is not cached, and runs one for the suite.
    globalSetup: ['../../scripts/broker/vitest-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
