import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { InvalidJobOptionsError, SinkError, StatecraftError, WorkerFailedError } from '../src/errors.js';
import { keyGroupRange } from '../src/partitioning/key-groups.js';
import { runJob } from '../src/runtime/job.js';
import type { JobSummary } from '../src/runtime/summary.js';
import { producerOfChunk } from '../src/sources/parallel-source.js';
import {
  createProbe,
  PROBE_INSTANCES,
  PROBE_PRODUCED,
  PROBE_THREAD_OF,
  rejectsBeforeChunk,
  type TestSourceConfig,
  testChunks,
  testSource,
} from './fixtures/parallel-producer.js';
import {
  chunksWithOutput,
  counterOutputs,
  outputText,
  parallelFixture,
  recordingSink,
} from './fixtures/parallel-support.js';
import { sleep } from './helpers.js';

const counter = (config: Record<string, unknown> = {}) => ({
  module: parallelFixture('parallel-counter'),
  config,
});

/** The thread this test file runs on, + 1 (as the fixtures record threads). */
const here = threadId + 1;

/** Runs the job and returns what it rejected with (failing the test if it resolved). */
async function rejection(job: Promise<JobSummary>): Promise<unknown> {
  return job.then(
    (summary) => {
      throw new Error(`the job succeeded: ${JSON.stringify(summary)}`);
    },
    (error: unknown) => error,
  );
}

function expectWorkerFailed(error: unknown, worker: number, reason: RegExp): void {
  expect(error).toBeInstanceOf(WorkerFailedError);
  const failed = error as WorkerFailedError;
  expect(failed).toBeInstanceOf(StatecraftError);
  expect(failed.code).toBe('WORKER_FAILED');
  expect(failed.message).toMatch(new RegExp(`^worker ${worker} failed: `));
  expect(failed.message).toMatch(reason);
  expect(failed.details).toEqual({ worker });
}

// 40 chunks over 7 splits, sizes from 0 to 120 events, 50 keys shared by all splits.
const STREAM: TestSourceConfig = {
  chunks: 40,
  splits: 7,
  keys: 50,
  seed: 11,
  sizes: [37, 0, 120, 5, 64, 1, 90, 0, 0, 17, 33],
};
const streamChunks = testChunks(STREAM);
const reference = counterOutputs(streamChunks);

describe('the test source itself', () => {
  it('has empty and non-empty chunks, repeats keys across splits, and refuses a split out of order', async () => {
    expect(streamChunks.some((c) => c.count === 0)).toBe(true);
    expect(reference.events).toBeGreaterThan(1000);
    // A key seen in chunks of at least three different splits (so per-key order crosses producers).
    const splitsOfKey = new Map<number, Set<number>>();
    streamChunks.forEach((batch, k) => {
      for (let i = 0; i < batch.count; i++) {
        const key = batch.addresses[i]!;
        if (!splitsOfKey.has(key)) splitsOfKey.set(key, new Set());
        splitsOfKey.get(key)!.add(k % STREAM.splits);
      }
    });
    expect(Math.max(...[...splitsOfKey.values()].map((s) => s.size))).toBeGreaterThanOrEqual(3);
    const { createChunkProducer } = await import('./fixtures/parallel-producer.js');
    const producer = await createChunkProducer(STREAM);
    producer.produce(1);
    expect(() => producer.produce(15)).toThrow(/expected chunk 8/);
  });
});

describe('a parallel source gives the same output for every W, P and S', { timeout: 60_000 }, () => {
  // [workers, partitions, sourceParallelism]: S below, equal to and above W, and above the split count.
  const CONFIGS: [number, number, number][] = [
    [0, 1, 1],
    [0, 128, 3],
    [1, 1, 1],
    [1, 128, 3],
    [2, 2, 1],
    [2, 128, 9],
    [3, 5, 4],
  ];

  it.each(CONFIGS)('workers %i, partitions %i, sourceParallelism %i', async (workers, partitions, s) => {
    const probe = createProbe(STREAM.chunks);
    const owners = new SharedArrayBuffer(4 * partitions);
    const sink = recordingSink();
    const summary = await runJob({
      source: testSource({ ...STREAM, probe }),
      operator: counter({ owners }),
      sink,
      workers,
      partitions,
      sourceParallelism: s,
    });

    // Output: byte for byte the single-threaded reference, written once per chunk, in chunk order.
    expect(sink.text).toBe(outputText(reference.outputs));
    expect(sink.writes).toEqual(chunksWithOutput(reference.outputs));
    expect(sink.closed).toBe(1);
    expect(summary).toMatchObject({
      events: reference.events,
      outputs: reference.outputs.length,
      chunks: STREAM.chunks,
      liveKeys: reference.liveKeys,
      workers,
      partitions,
      sourceParallelism: workers === 0 ? 0 : s,
      interrupted: false,
    });
    expect(summary.rejects).toEqual(rejectsBeforeChunk(STREAM.chunks));

    // Where the chunks were made: each exactly once; inline on this thread for W = 0, otherwise
    // never here, and producer p on thread p mod W (the thread that owns keyGroupRange(p mod W)).
    const slots = new Int32Array(probe);
    const ownerThreads = new Int32Array(owners);
    expect(slots[PROBE_PRODUCED]).toBe(STREAM.chunks);
    const threadOf = Array.from({ length: STREAM.chunks }, (_, k) => slots[PROBE_THREAD_OF + k]!);
    if (workers === 0) {
      expect(new Set(threadOf)).toEqual(new Set([here]));
      expect(slots[PROBE_INSTANCES]).toBe(1);
      return;
    }
    expect(threadOf).not.toContain(here);
    expect(threadOf).not.toContain(0);
    const expectedThreadOf = threadOf.map((_, k) => {
      const thread = producerOfChunk(k, STREAM.splits, s) % workers;
      return ownerThreads[keyGroupRange(thread, workers, partitions).start]!;
    });
    expect(threadOf).toEqual(expectedThreadOf);
    expect(new Set(ownerThreads.filter((t) => t !== 0)).size).toBe(workers);
    // One producer instance per thread that hosts at least one producer.
    expect(slots[PROBE_INSTANCES]).toBe(Math.min(workers, s));
  });

  it('an empty source (no chunks) finishes with nothing written', async () => {
    for (const workers of [0, 1]) {
      const sink = recordingSink();
      const summary = await runJob({
        source: testSource({ ...STREAM, chunks: 0 }),
        operator: counter(),
        sink,
        workers,
        partitions: 8,
        sourceParallelism: 2,
      });
      expect(summary).toMatchObject({ events: 0, outputs: 0, chunks: 0, liveKeys: 0, interrupted: false });
      expect(summary.rejects).toEqual({});
      expect(sink.writes).toEqual([]);
      expect(sink.closed).toBe(1);
    }
  });

  it('rejects more workers than partitions before starting anything', async () => {
    const probe = createProbe(STREAM.chunks);
    const error = await rejection(
      runJob({
        source: testSource({ ...STREAM, probe }),
        operator: counter(),
        sink: recordingSink(),
        workers: 2,
        partitions: 1,
      }),
    );
    expect(error).toBeInstanceOf(InvalidJobOptionsError);
    expect(new Int32Array(probe)[PROBE_INSTANCES]).toBe(0);
  });
});

describe('backpressure: a slow sink slows the producers', { timeout: 60_000 }, () => {
  // Every chunk has events, so every chunk is written and, while chunk c is being written, exactly c
  // chunks have been written. exchange-job.ts grants chunk indexes below chunksWritten + window,
  // window = maxInFlightPerWorker × max(W, S); so at most c + window chunks (indexes ≤ c + window - 1)
  // can have been made. Inline (W = 0, job.ts) the collector holds maxInFlightPerWorker × (1 + 1)
  // chunks and the source is pulled once more before waiting: c + 2·m + 1.
  const FULL: TestSourceConfig = { chunks: 30, splits: 5, keys: 40, seed: 5, sizes: [20, 31, 7] };

  it.each([
    [2, 2, 1],
    [1, 3, 2],
    [2, 1, 2],
    [0, 1, 2],
  ])('workers %i, sourceParallelism %i, maxInFlightPerWorker %i', async (workers, s, m) => {
    const window = workers === 0 ? 2 * m + 1 : m * Math.max(workers, s);
    const probe = createProbe(FULL.chunks);
    const slots = new Int32Array(probe);
    const produced = () => Atomics.load(slots, PROBE_PRODUCED);
    const maxIndex = () => {
      let max = -1;
      for (let k = 0; k < FULL.chunks; k++) if (Atomics.load(slots, PROBE_THREAD_OF + k) !== 0) max = k;
      return max;
    };
    let maxAhead = 0;
    let violations: string[] = [];
    const check = (chunk: number) => {
      const ahead = produced() - chunk;
      maxAhead = Math.max(maxAhead, ahead);
      if (ahead > window || maxIndex() > chunk + window - 1) {
        violations.push(`writing chunk ${chunk}: ${produced()} made, highest index ${maxIndex()}`);
      }
    };
    const sink = recordingSink(async (chunk) => {
      check(chunk);
      if (chunk === 0) {
        // The producers may run a full window ahead of a sink that has written nothing: wait for it.
        const target = Math.min(FULL.chunks, window);
        for (let waited = 0; produced() < target; waited++) {
          if (waited > 4000) throw new Error(`only ${produced()} chunks made while the first was written`);
          await sleep(5);
        }
      }
      // A slow sink: the producers get every chance to overrun the window.
      await sleep(3);
      check(chunk);
    });
    violations = [];
    const summary = await runJob({
      source: testSource({ ...FULL, probe }),
      operator: counter(),
      sink,
      workers,
      partitions: 16,
      sourceParallelism: s,
      maxInFlightPerWorker: m,
    });
    expect(violations).toEqual([]);
    expect(maxAhead).toBe(window);
    expect(sink.writes).toEqual(Array.from({ length: FULL.chunks }, (_, k) => k));
    expect(sink.text).toBe(outputText(counterOutputs(testChunks(FULL)).outputs));
    expect(summary.chunks).toBe(FULL.chunks);
  });
});

describe('abort', { timeout: 60_000 }, () => {
  it.each([
    [2, 2],
    [2, 1],
    [0, 1],
  ])(
    'aborted mid-run (workers %i, sourceParallelism %i): interrupted, and the granted chunks are all written, in order',
    async (workers, s) => {
      const probe = createProbe(STREAM.chunks);
      const controller = new AbortController();
      const abortAt = chunksWithOutput(reference.outputs)[4]!;
      const sink = recordingSink((chunk) => {
        if (chunk === abortAt) controller.abort();
      });
      const summary = await runJob({
        source: testSource({ ...STREAM, probe }),
        operator: counter(),
        sink,
        workers,
        partitions: 16,
        sourceParallelism: s,
        maxInFlightPerWorker: 2,
        signal: controller.signal,
      });
      expect(summary.interrupted).toBe(true);
      const done = summary.chunks;
      expect(done).toBeGreaterThan(abortAt);
      expect(done).toBeLessThan(STREAM.chunks);
      const prefix = counterOutputs(streamChunks.slice(0, done));
      // Exactly the outputs of chunks [0, done), in order, each chunk written once.
      expect(sink.text).toBe(outputText(prefix.outputs));
      expect(sink.writes).toEqual(chunksWithOutput(prefix.outputs));
      expect(summary).toMatchObject({
        events: prefix.events,
        outputs: prefix.outputs.length,
        liveKeys: prefix.liveKeys,
      });
      expect(summary.rejects).toEqual(rejectsBeforeChunk(done));
      expect(sink.closed).toBe(1);
      const made = new Int32Array(probe)[PROBE_PRODUCED]!;
      if (workers > 0) {
        // No grant after the abort: at most one window past the chunk being written, and every
        // chunk that was made was also written.
        expect(done).toBeLessThanOrEqual(abortAt + 2 * Math.max(workers, s));
        expect(made).toBe(done);
      } else {
        // Inline, the chunk pulled when the abort is seen is dropped.
        expect(made).toBeGreaterThanOrEqual(done);
        expect(made).toBeLessThanOrEqual(done + 1);
      }
    },
  );

  it.each([1, 0])('an already aborted signal (workers %i) processes nothing', async (workers) => {
    const probe = createProbe(STREAM.chunks);
    const sink = recordingSink();
    const summary = await runJob({
      source: testSource({ ...STREAM, probe }),
      operator: counter(),
      sink,
      workers,
      partitions: 16,
      signal: AbortSignal.abort(),
    });
    expect(summary).toMatchObject({ interrupted: true, chunks: 0, events: 0, outputs: 0 });
    expect(sink.writes).toEqual([]);
    if (workers > 0) expect(new Int32Array(probe)[PROBE_PRODUCED]).toBe(0);
  });
});

describe('failures', { timeout: 60_000 }, () => {
  /** The sink saw a prefix of the reference's outputs, in order, and was never closed. */
  function expectPrefixWritten(sink: ReturnType<typeof recordingSink>, before: number): void {
    const n = sink.outputs.length;
    expect(sink.outputs).toEqual(reference.outputs.slice(0, n));
    for (const chunk of sink.writes) expect(chunk).toBeLessThan(before);
    expect(sink.closed).toBe(0);
  }

  it('a producer that throws fails the job with WorkerFailedError naming its thread', async () => {
    // Chunk 18: split 18 mod 7 = 4, producer 4 mod 3 = 1, thread 1 mod 2 = 1.
    expect(producerOfChunk(18, STREAM.splits, 3) % 2).toBe(1);
    const sink = recordingSink();
    const error = await rejection(
      runJob({
        source: testSource({ ...STREAM, throwAt: 18, message: 'disk gone at chunk 18' }),
        operator: counter(),
        sink,
        workers: 2,
        partitions: 16,
        sourceParallelism: 3,
      }),
    );
    expectWorkerFailed(error, 1, /disk gone at chunk 18/);
    expectPrefixWritten(sink, 18);
  });

  it('a producer that throws inline (workers 0) fails the job with its error', async () => {
    const sink = recordingSink();
    const error = await rejection(
      runJob({
        source: testSource({ ...STREAM, throwAt: 18, message: 'disk gone at chunk 18' }),
        operator: counter(),
        sink,
        workers: 0,
        partitions: 16,
      }),
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/disk gone at chunk 18/);
    expectPrefixWritten(sink, 18);
  });

  it('a producer that cannot be created fails the job with WorkerFailedError', async () => {
    const error = await rejection(
      runJob({
        source: testSource({ ...STREAM, failCreate: 'no such bucket' }),
        operator: counter(),
        sink: recordingSink(),
        workers: 2,
        partitions: 16,
        sourceParallelism: 1,
      }),
    );
    // Only thread 0 hosts a producer (S = 1).
    expectWorkerFailed(error, 0, /no such bucket/);
  });

  it('a missing source module fails the job with WorkerFailedError', async () => {
    const source = { ...testSource(STREAM), module: parallelFixture('parallel-does-not-exist') };
    const error = await rejection(
      runJob({ source, operator: counter(), sink: recordingSink(), workers: 1, partitions: 4 }),
    );
    expectWorkerFailed(error, 0, /cannot load source module .*parallel-does-not-exist/);
  });

  it('an operator that throws fails the job with WorkerFailedError', async () => {
    const sink = recordingSink();
    const error = await rejection(
      runJob({
        source: testSource(STREAM),
        operator: counter({ throwAfter: 300, message: 'operator exploded' }),
        sink,
        workers: 2,
        partitions: 16,
        sourceParallelism: 2,
      }),
    );
    expect(error).toBeInstanceOf(WorkerFailedError);
    const worker = (error as WorkerFailedError).details?.worker as number;
    expect([0, 1]).toContain(worker);
    expectWorkerFailed(error, worker, /operator exploded/);
    expectPrefixWritten(sink, STREAM.chunks);
    // Each owner fails after 300 of its events, so not every event can have been written.
    expect(sink.outputs.length).toBeLessThan(reference.outputs.length);
  });

  // One thread here: with several, each thread's failure at the end is a separate uncaught worker
  // error (see parallel-shutdown.test.ts, which runs that case in a child process).
  it.each([1, 0])(
    'an operator that fails at the end of the stream fails the job with WorkerFailedError (workers %i)',
    async (workers) => {
      const sink = recordingSink();
      const error = await rejection(
        runJob({
          source: testSource({ ...STREAM, chunks: 3 }),
          operator: counter({ failLiveKeys: true }),
          sink,
          workers,
          partitions: 16,
        }),
      );
      expectWorkerFailed(error, 0, /^worker 0 failed: liveKeys failed$/);
      expect(sink.closed).toBe(0);
    },
  );

  it('a sink whose write rejects fails the job with SinkError', async () => {
    const cause = new Error('pipe closed');
    const sink = recordingSink((chunk) => {
      if (chunk >= 9) throw cause;
    });
    const error = await rejection(
      runJob({
        source: testSource(STREAM),
        operator: counter(),
        sink,
        workers: 1,
        partitions: 16,
        sourceParallelism: 2,
      }),
    );
    expect(error).toBeInstanceOf(SinkError);
    expect((error as Error).message).toMatch(/pipe closed/);
    expect(sink.writes.filter((chunk) => chunk >= 9)).toHaveLength(1);
    expect(sink.closed).toBe(0);
  });
});
