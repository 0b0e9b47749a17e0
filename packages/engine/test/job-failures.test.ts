import { describe, expect, it } from 'vitest';
import { isStatecraftError, SinkError, StatecraftError, WorkerFailedError } from '../src/errors.js';
import { runJob } from '../src/runtime/job.js';
import { fixture, randomEvents, recordingSink, toBatches } from './helpers.js';

const batches = toBatches(randomEvents(3, 4000, 50), 100);

/** Runs the job and returns what it rejected with (failing the test if it resolved). */
async function rejectionOf(job: Promise<unknown>): Promise<WorkerFailedError> {
  const error = await job.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkerFailedError);
  return error as WorkerFailedError;
}

function expectWorkerFailure(error: WorkerFailedError, workers: number, reason: RegExp): void {
  expect(error.code).toBe('WORKER_FAILED');
  expect(error).toBeInstanceOf(StatecraftError);
  expect(isStatecraftError(error)).toBe(true);
  expect(error.name).toBe('WorkerFailedError');
  expect(error.message).toMatch(/^worker \d+ failed: /);
  expect(error.message).toMatch(reason);
  expect(error.message).not.toContain('\n');
  const worker = Number(/^worker (\d+)/.exec(error.message)![1]);
  expect(worker).toBeLessThan(Math.max(1, workers));
  expect(error.details).toEqual({ worker });
}

describe('runJob failures', { timeout: 30_000 }, () => {
  it('rejects with WorkerFailedError when the operator throws in a worker thread', async () => {
    const sink = recordingSink();
    const error = await rejectionOf(
      runJob({
        source: batches,
        operator: { module: fixture('throwing'), config: { after: 300, message: 'boom at event 300' } },
        sink,
        workers: 2,
        partitions: 16,
      }),
    );
    expectWorkerFailure(error, 2, /boom at event 300/);
    expect(sink.closed).toBe(0); // a failed job does not close (commit) its sink
  });

  it('rejects with WorkerFailedError when the operator throws inline (workers 0)', async () => {
    const error = await rejectionOf(
      runJob({
        source: batches,
        operator: { module: fixture('throwing'), config: { after: 250, message: 'inline boom' } },
        sink: recordingSink(),
        workers: 0,
        partitions: 16,
      }),
    );
    expectWorkerFailure(error, 0, /^worker 0 failed: inline boom$/);
    expect(isStatecraftError(new Error('plain'))).toBe(false);
  });

  it('rejects with WorkerFailedError when a worker thread exits (process.exit in the worker)', async () => {
    const error = await rejectionOf(
      runJob({
        source: batches,
        operator: { module: fixture('exiting'), config: { after: 500 } },
        sink: recordingSink(),
        workers: 1,
        partitions: 16,
      }),
    );
    expectWorkerFailure(error, 1, /exit/);
  });

  it.each([1, 0])('names a missing operator module (workers %i)', async (workers) => {
    const missing = fixture('does-not-exist');
    const error = await rejectionOf(
      runJob({
        source: batches,
        operator: { module: missing, config: null },
        sink: recordingSink(),
        workers,
      }),
    );
    expectWorkerFailure(error, workers, /cannot load operator module/);
    expect(error.message).toContain(missing);
  });

  it.each([1, 0])('names a module without createOperator (workers %i)', async (workers) => {
    const module = fixture('no-create');
    const error = await rejectionOf(
      runJob({ source: batches, operator: { module, config: null }, sink: recordingSink(), workers }),
    );
    expectWorkerFailure(error, workers, /does not export a createOperator function/);
    expect(error.message).toContain(module);
  });

  // runJob's contract: "rejects with a StatecraftError when a worker or the sink fails". These
  // failures surface only once the source has ended (while the runtime collects the workers'
  // totals or closes the sink).
  it('rejects with WorkerFailedError when the operator module is missing and the source is empty (workers 1)', async () => {
    const error = await rejectionOf(
      runJob({
        source: [],
        operator: { module: fixture('does-not-exist'), config: null },
        sink: recordingSink(),
        workers: 1,
      }),
    );
    expectWorkerFailure(error, 1, /cannot load operator module/);
  });

  it.each([1, 0])(
    'rejects with WorkerFailedError when the operator fails at the end of the stream (workers %i)',
    async (workers) => {
      const error = await rejectionOf(
        runJob({
          source: batches.slice(0, 2),
          operator: { module: fixture('failing-live-keys'), config: null },
          sink: recordingSink(),
          workers,
        }),
      );
      expectWorkerFailure(error, workers, /liveKeys exploded/);
    },
  );

  it('rejects only once the sink write in progress has finished, and writes nothing after (workers 0)', async () => {
    // Chunk 0's write is held; chunks 1 and 2 wait behind it; the operator fails at chunk 3. The
    // held write is let through a macrotask after the job has seen the failure (when it pulls chunk 4).
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let settled = false;
    let writing = false;
    let writingWhenSettled = false;
    const writesAfterSettled: number[] = [];
    function* source() {
      for (const [b, batch] of batches.slice(0, 6).entries()) {
        if (b === 4) setImmediate(release);
        yield batch;
      }
    }
    const error = await runJob({
      source: source(),
      operator: { module: fixture('throw-at-chunk'), config: { chunk: 3 } },
      sink: {
        async write(chunk: number) {
          if (settled) writesAfterSettled.push(chunk);
          writing = true;
          if (chunk === 0) await held;
          writing = false;
        },
      },
      workers: 0,
      partitions: 16,
    }).then(
      () => undefined,
      (e: unknown) => {
        settled = true;
        writingWhenSettled = writing;
        return e;
      },
    );
    expectWorkerFailure(error as WorkerFailedError, 0, /failing at chunk 3, as asked/);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writingWhenSettled).toBe(false);
    expect(writesAfterSettled).toEqual([]);
  });

  it('rejects with SinkError when the sink cannot be closed', async () => {
    const cause = new Error('flush failed');
    const error = await runJob({
      source: batches.slice(0, 2),
      operator: { module: fixture('counter'), config: {} },
      sink: {
        write() {},
        close() {
          throw cause;
        },
      },
      workers: 0,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).message).toContain('flush failed');
  });
});
