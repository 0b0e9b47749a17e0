import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    // The Kafka tests' broker: built if it is not cached, started once for the suite.
    globalSetup: ['../../scripts/broker/vitest-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
