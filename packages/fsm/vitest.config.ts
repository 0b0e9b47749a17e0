import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'fsm', include: ['test/**/*.test.ts'] },
});
