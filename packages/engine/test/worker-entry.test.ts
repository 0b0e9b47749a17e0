import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    expect(stderr).not.toMatch(/FATAL ERROR/);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stdout).toContain('released 150 times');
  }, 120_000);
});
