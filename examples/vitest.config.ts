import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'examples',
    include: ['test/**/*.test.ts'],
    // kafka-job.ts runs against the test broker, shared with the other projects.
    globalSetup: ['../scripts/broker/vitest-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
