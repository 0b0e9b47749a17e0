import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../src/checkpoint/checkpoint-codec.js';
import { loadCheckpointCodec } from '../src/checkpoint/checkpoint-frame.js';
import { CheckpointStore } from '../src/checkpoint/checkpoint-store.js';
import { WorkerFailedError } from '../src/errors.js';
import { HEAD_START_MIN_CHUNKS } from '../src/runtime/head-start.js';
import { runJob } from '../src/runtime/job.js';
import type { JobOptions } from '../src/runtime/job-options.js';
import { fileSource } from '../src/sources/file-source.js';
import type { RejectedRecord } from '../src/sources/reject.js';
import {
  hasWarmWorkers,
  releaseWarmWorkers,
  warmUpWorkers,
  warmWorkersSettled,
  whenWarmWorkersSettled,
} from '../src/warm-up.js';
import {
  createProbe,
  PROBE_THREAD_OF,
  rejectsBeforeChunk,
  type TestSourceConfig,
  testChunks,
  testSource,
} from './fixtures/parallel-producer.js';
import {
  counterOutputs,
  type Out,
  outputText,
  parallelFixture,
  recordingSink,
} from './fixtures/parallel-support.js';
import { freshDirs, sleep } from './helpers.js';

// 48 chunks over 7 splits (more than HEAD_START_MIN_CHUNKS), sizes from 0 to 120 events.
const STREAM: TestSourceConfig = {
  chunks: 48,
  splits: 7,
  keys: 50,
  seed: 23,
  sizes: [37, 0, 120, 5, 64, 1, 90, 0, 0, 17, 33],
};
const reference = counterOutputs(testChunks(STREAM));
const cores = availableParallelism();
/** The thread this test file runs on, + 1 (as the probe records threads). */
const here = threadId + 1;
const tempDir = freshDirs('head-start');

const counter = (config: Record<string, unknown> = {}) => ({
  module: parallelFixture('parallel-counter'),
  config: { checkpointable: true, ...config },
});

const TEST_SOURCE_MODULE = testSource(STREAM).module;

const outputsFrom = (chunk: number): Out[] => reference.outputs.filter(([k]) => k >= chunk);

/**
 * Starts `workers` threads and waits until every one runs the worker's code and has imported the
 * job's modules (as the head start has them do; the job then finds them ready at once).
 */
async function readyThreads(workers: number, source: string = TEST_SOURCE_MODULE): Promise<void> {
  warmUpWorkers(workers, undefined, [counter().module, source]);
  await whenWarmWorkersSettled();
  expect(warmWorkersSettled(workers)).toBe(true);
}

/** Runs STREAM with a head start; returns the summary, the sink and which thread made each chunk. */
async function headStarted(options: Partial<JobOptions> & { config?: Partial<TestSourceConfig> }) {
  const { config, ...job } = options;
  const chunks = config?.chunks ?? STREAM.chunks;
  const probe = createProbe(chunks);
  const sink = recordingSink();
  const summary = await runJob({
    source: testSource({ ...STREAM, ...config, probe }),
    operator: counter(),
    sink,
    workers: 2,
    partitions: 16,
    headStart: true,
    ...job,
  });
  const slots = new Int32Array(probe);
  const threadOf = Array.from({ length: chunks }, (_, k) => slots[PROBE_THREAD_OF + k]!);
  return { summary, sink, threadOf };
}

afterEach(async () => {
  await releaseWarmWorkers();
});

describe('a head start (JobOptions.headStart)', { timeout: 60_000 }, () => {
  it.each([
    [2, 16, 2],
    [2, 128, 1],
    [3, 5, 4],
  ])(
    'hands over to running threads mid-job: workers %i, partitions %i, sourceParallelism %i',
    async (workers, partitions, sourceParallelism) => {
      await readyThreads(workers);
      const { summary, sink, threadOf } = await headStarted({
        workers,
        partitions,
        sourceParallelism,
        headStartUntilChunk: 12,
      });
      expect(sink.text).toBe(outputText(reference.outputs));
      expect(sink.closed).toBe(1);
      expect(summary).toMatchObject({
        events: reference.events,
        outputs: reference.outputs.length,
        chunks: STREAM.chunks,
        liveKeys: reference.liveKeys,
        workers,
        headStartChunks: 12,
        interrupted: false,
      });
      expect(summary.rejects).toEqual(rejectsBeforeChunk(STREAM.chunks));
      // Chunks 0..11 were made on this thread, the rest in the worker threads, each exactly once.
      expect(threadOf.slice(0, 12).every((thread) => thread === here)).toBe(true);
      expect(threadOf.slice(12).every((thread) => thread !== here && thread !== 0)).toBe(true);
      expect(hasWarmWorkers()).toBe(false);
    },
  );

  it('starts the threads itself once its pace says they pay, and hands over: the same output', async () => {
    // A slow operator (3 ms a part with events): 400 chunks are ~1.2 s of work here, worth two
    // threads' start and take-over on two cores.
    const config = { chunks: 400, sizes: [37, 120, 5, 64, 90, 17, 33] };
    const { summary, sink, threadOf } = await headStarted({
      config,
      operator: counter({ busyMsPerPart: 3 }),
    });
    expect(sink.text).toBe(outputText(counterOutputs(testChunks({ ...STREAM, ...config })).outputs));
    const inline = summary.headStartChunks;
    // The pace is timed over 5 chunks before threads start; on one core they are no faster than
    // this thread, which then keeps the job.
    expect(inline).toBeGreaterThan(5);
    if (cores >= 2) expect(inline).toBeLessThan(config.chunks);
    expect(threadOf.slice(0, inline).every((thread) => thread === here)).toBe(true);
    expect(threadOf.slice(inline).every((thread) => thread !== here)).toBe(true);
    expect(hasWarmWorkers()).toBe(false);
  });

  it('keeps a job whose work left is too short for threads, even threads already up', async () => {
    // Tiny chunks (a fraction of a millisecond each): 300 of them are not worth a hand-over.
    const chunks = 300;
    await readyThreads(2);
    const { summary, sink, threadOf } = await headStarted({ config: { chunks } });
    expect(summary.headStartChunks).toBe(chunks);
    expect(threadOf.every((thread) => thread === here)).toBe(true);
    expect(sink.text).toBe(outputText(counterOutputs(testChunks({ ...STREAM, chunks })).outputs));
  });

  it(`runs a job of fewer than ${HEAD_START_MIN_CHUNKS} chunks on this thread and starts no threads`, async () => {
    const chunks = HEAD_START_MIN_CHUNKS - 1;
    const short = counterOutputs(testChunks({ ...STREAM, chunks }));
    const { summary, sink, threadOf } = await headStarted({ config: { chunks } });
    expect(sink.text).toBe(outputText(short.outputs));
    expect(summary).toMatchObject({ chunks, headStartChunks: chunks, workers: 2, liveKeys: short.liveKeys });
    expect(threadOf.every((thread) => thread === here)).toBe(true);
    expect(hasWarmWorkers()).toBe(false);
  });

  it('leaves every chunk to the threads when the operator cannot hand its state over', async () => {
    await readyThreads(2);
    const { summary, sink, threadOf } = await headStarted({
      headStartUntilChunk: 12,
      operator: { module: parallelFixture('parallel-counter'), config: {} },
    });
    expect(sink.text).toBe(outputText(reference.outputs));
    expect(summary.headStartChunks).toBe(0);
    expect(threadOf.every((thread) => thread !== here && thread !== 0)).toBe(true);
  });

  it('without headStart, every chunk is made in the threads', async () => {
    const { summary, sink, threadOf } = await headStarted({ headStart: false });
    expect(sink.text).toBe(outputText(reference.outputs));
    expect(summary.headStartChunks).toBe(0);
    expect(threadOf.every((thread) => thread !== here && thread !== 0)).toBe(true);
  });

  it('a thread failing after the hand-over fails the job with its error, and no thread is left', async () => {
    await readyThreads(2);
    const error = await headStarted({
      headStartUntilChunk: 12,
      config: { throwAt: 30, message: 'producer broke at chunk 30' },
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect((error as Error).message).toMatch(/producer broke at chunk 30/);
    expect(hasWarmWorkers()).toBe(false);
  });

  it('checkpoints before and after the hand-over; a run resumed from each writes the rest', async () => {
    await loadCheckpointCodec();
    await readyThreads(2);
    const store = new CheckpointStore(tempDir(), 100);
    const job = 'head start test';
    const { summary, sink } = await headStarted({
      headStartUntilChunk: 12,
      checkpoint: { store, job, everyEvents: 150 },
    });
    expect(sink.text).toBe(outputText(reference.outputs));
    expect(summary.headStartChunks).toBe(12);
    const checkpoints = store.list().map(({ path }) => decodeCheckpoint(readFileSync(path)));
    expect(summary.checkpoints.taken).toBe(checkpoints.length);
    const chunks = checkpoints.map((checkpoint) => checkpoint.chunk);
    expect(chunks.some((chunk) => chunk < 12)).toBe(true);
    expect(chunks.some((chunk) => chunk > 12)).toBe(true);
    for (const checkpoint of checkpoints) {
      const before = reference.outputs.length - outputsFrom(checkpoint.chunk).length;
      expect(checkpoint).toMatchObject({
        job,
        outputs: before,
        rejects: rejectsBeforeChunk(checkpoint.chunk),
      });
      const resumed = await headStarted({ resumeFrom: checkpoint });
      expect(resumed.sink.text).toBe(outputText(outputsFrom(checkpoint.chunk)));
      expect(resumed.summary).toMatchObject({
        outputs: reference.outputs.length,
        events: reference.events,
        liveKeys: reference.liveKeys,
      });
      expect(resumed.summary.rejects).toEqual(rejectsBeforeChunk(STREAM.chunks));
    }
  });

  it('numbers rejected records by their line in the whole file across the hand-over', async () => {
    const names = ['a', 'b', 'c'];
    const lines = ['address,type'];
    for (let i = 0; i < 3000; i++) {
      lines.push(i % 37 === 5 ? `bad line ${i}` : `10.0.${i % 7}.${i % 11},${names[i % 3]}`);
    }
    const path = join(tempDir(), 'events.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const run = async (options: Partial<JobOptions>) => {
      const rejected: RejectedRecord[] = [];
      const sink = recordingSink();
      const summary = await runJob({
        source: fileSource(path, { eventNames: names, format: 'csv', chunkBytes: 512, keepRejected: true }),
        operator: counter(),
        sink,
        partitions: 16,
        onRejected: (record) => rejected.push(record),
        ...options,
      });
      return { summary, text: sink.text, rejected };
    };
    const inline = await run({ workers: 0 });
    expect(inline.summary.chunks).toBeGreaterThan(HEAD_START_MIN_CHUNKS + 12);
    expect(inline.rejected.map((record) => record.line)).toEqual(
      lines.flatMap((line, i) => (line.startsWith('bad') ? [i + 1] : [])),
    );
    await readyThreads(2, fileSource(path, { eventNames: names }).module);
    const handedOver = await run({ workers: 2, headStart: true, headStartUntilChunk: 12 });
    expect(handedOver.summary.headStartChunks).toBe(12);
    expect(handedOver.text).toBe(inline.text);
    // Records from the threads come back structured-cloned: raw bytes as a Uint8Array, not a Buffer.
    const plain = (records: RejectedRecord[]) =>
      records.map((record) => ({ ...record, raw: [...record.raw] }));
    expect(plain(handedOver.rejected)).toEqual(plain(inline.rejected));
    expect(handedOver.summary.rejects).toEqual(inline.summary.rejects);
  });

  it('interrupted while the hand-over waits for the writes: stops there with a checkpoint to resume from', async () => {
    await loadCheckpointCodec();
    await readyThreads(2);
    const store = new CheckpointStore(tempDir(), 100);
    const job = 'head start interrupted';
    const abort = new AbortController();
    // Chunk 11's write is slow and the interrupt comes during it: the hand-over at chunk 12 is
    // waiting for that write.
    const sink = recordingSink(async (chunk) => {
      if (chunk !== 11) return;
      await sleep(50);
      abort.abort();
    });
    const summary = await runJob({
      source: testSource(STREAM),
      operator: counter(),
      sink,
      workers: 2,
      partitions: 16,
      headStart: true,
      headStartUntilChunk: 12,
      signal: abort.signal,
      checkpoint: { store, job, everyEvents: 1e9 },
    });
    expect(summary).toMatchObject({ interrupted: true, chunks: 12, headStartChunks: 12 });
    const newest = store.loadNewest(job).checkpoint!;
    expect(newest.chunk).toBe(12);
    const resumed = await headStarted({ resumeFrom: newest });
    expect(sink.text + resumed.sink.text).toBe(outputText(reference.outputs));
  });
});
