import { beforeAll, describe, expect, it } from 'vitest';
import { type ChildResult, runTsChild } from './helpers.js';

const script = 'test/fixtures/parallel-failing-job.ts';
/** Generous: a child still alive after this has leaked threads, ports or timers that keep it running. */
const EXIT_WITHIN_MS = 25_000;

describe('parallel-source jobs shut their threads down: the process exits on its own', {
  timeout: 60_000,
}, () => {
  // Started together (they mostly wait on threads starting), checked one by one.
  let failing: Promise<ChildResult>;
  let liveKeys: Promise<ChildResult>;
  let leaking: Promise<ChildResult>;
  beforeAll(() => {
    failing = runTsChild(
      script,
      ['producer-throws', 'operator-throws', 'missing-source', 'abort'],
      EXIT_WITHIN_MS,
    );
    liveKeys = runTsChild(script, ['live-keys'], EXIT_WITHIN_MS);
    // Calibration: threads that are never shut down keep a process alive for 3 s after they start.
    leaking = runTsChild(script, ['leak'], 3_000, 'leak: started');
  });

  it('after a producer failure, an operator failure, a missing source module and an abort', async () => {
    const child = await failing;
    expect(child.stderr).toBe('');
    expect(child.killed).toBe(false);
    expect(child.code).toBe(0);
    const lines = child.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    // Chunk 23: split 3, producer 0 of 3, thread 0.
    expect(lines[0]).toBe('producer-throws: WORKER_FAILED: worker 0 failed: producer blew up');
    expect(lines[1]).toMatch(/^operator-throws: WORKER_FAILED: worker [01] failed: operator blew up$/);
    expect(lines[2]).toMatch(
      /^missing-source: WORKER_FAILED: worker 0 failed: cannot load source module .*parallel-nothing-here\.ts/,
    );
    expect(lines[3]).toMatch(/^abort: done interrupted=true chunks=\d+$/);
    expect(lines[4]).toBe('all scenarios ran');
  });

  it('when every thread fails at the end of the stream (operator liveKeys throws, workers 2)', async () => {
    // Each thread's failure must become the job's WorkerFailedError; none may escape as an uncaught
    // 'error' event of the pool (which ends the process with a stack trace instead).
    const child = await liveKeys;
    expect(child.stderr).not.toMatch(/Emitted 'error' event/);
    expect(child.stdout).toMatch(/^live-keys: WORKER_FAILED: worker [01] failed: liveKeys failed$/m);
    expect(child.stdout).toContain('all scenarios ran');
    expect(child.killed).toBe(false);
    expect(child.code).toBe(0);
  });

  it('calibration: an exchange executor that is never shut down keeps the process alive', async () => {
    const child = await leaking;
    expect(child.stdout).toContain('leak: started');
    expect(child.killed).toBe(true);
  });
});
