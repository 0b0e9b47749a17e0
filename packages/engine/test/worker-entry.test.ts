import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNodeChild } from './helpers.js';

// The built engine (as `pnpm test` builds it): from sources the threads start through a tsx
// bootstrap instead of the built CommonJS entry this is about.
const WARM_UP = new URL('../dist/warm-up.js', import.meta.url);

describe("the worker threads' entry", () => {
  it('lets threads be terminated while they load their module, without aborting the process', async () => {
    expect(existsSync(fileURLToPath(WARM_UP)), 'build the engine first (pnpm build)').toBe(true);
    // Started and terminated 150 times, at every point of the threads' start (0-150 ms). Loaded
    // through require(esm), Node 20 aborted ("FATAL ERROR: v8::Module::IsGraphAsync ...") in 2
    // of 4 such runs from a shell (less often under vitest): a race, so this can pass on a broken
    // entry, and never fails on a sound one.
    const script = `
      const { releaseWarmWorkers, warmUpWorkers } = await import(${JSON.stringify(WARM_UP.href)});
      for (let i = 0; i < 150; i++) {
        warmUpWorkers(2);
        await new Promise((resolve) => setTimeout(resolve, (i * 3) % 150));
        await releaseWarmWorkers();
      }
      console.log('released 150 times');`;
    const { code, killed, stdout, stderr } = await runNodeChild(
      ['--input-type=module', '-e', script],
      100_000,
    );
    expect(stderr).not.toMatch(/FATAL ERROR/);
    expect({ code, killed }).toEqual({ code: 0, killed: false });
    expect(stdout).toContain('released 150 times');
  }, 120_000);
});
