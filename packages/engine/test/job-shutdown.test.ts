import { beforeAll, describe, expect, it } from 'vitest';
import { type ChildResult, runTsChild } from './helpers.js';

const script = 'test/fixtures/failing-job.ts';
/** Generous: a child that is still alive after this has leaked something that keeps it running. */
const EXIT_WITHIN_MS = 20_000;

describe('after a failure the pool is shut down: the process exits on its own', { timeout: 40_000 }, () => {
  // Calibration, started first and checked last (it mostly waits): a child that starts a pool and
  // never shuts it down must still be running 2 s after, so the checks below can tell.
  let leaking: Promise<ChildResult>;
  beforeAll(() => {
    leaking = runTsChild(script, ['leak', '1'], 2_000, 'started');
  });

  it.each([
    ['throw', 2, /^WORKER_FAILED: worker [01] failed: operator blew up$/m],
    ['exit', 2, /^WORKER_FAILED: worker [01] failed: .*exit/m],
    ['missing', 1, /^WORKER_FAILED: worker 0 failed: cannot load operator module .*does-not-exist\.ts/m],
    ['sink-reject', 2, /^SINK_FAILED: disk full$/m],
  ] as const)('%s (workers %i)', async (scenario, workers, message) => {
    const child = await runTsChild(script, [scenario, String(workers)], EXIT_WITHIN_MS);
    expect(child.killed).toBe(false);
    expect(child.code).toBe(1);
    expect(child.stderr).toMatch(message);
    expect(child.stdout).not.toContain('job succeeded');
  });

  it('calibration: a pool that is never shut down keeps the process alive', async () => {
    const child = await leaking;
    expect(child.stdout).toContain('started');
    expect(child.killed).toBe(true);
  });
});
