import { availableParallelism } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../src/batch.js';
import { keyGroupOf, keyGroupRange, workerOfKeyGroup } from '../src/partitioning/key-groups.js';
import { runJob } from '../src/runtime/job.js';
import {
  counterReference,
  type Event,
  emptyBatch,
  fixture,
  randomEvents,
  recordingSink,
  toBatches,
  toBatchesOfSizes,
} from './helpers.js';

type JobSummary = Awaited<ReturnType<typeof runJob>>;

const counter = (copies = 1) => ({ module: fixture('counter'), config: { copies } });

/** Runs the counter fixture and checks outputs, writes and summary against the reference. */
async function checkCounterJob(
  batches: readonly EventBatch[],
  source: Iterable<EventBatch> | AsyncIterable<EventBatch>,
  workers: number | undefined,
  partitions: number | undefined,
  copies = 1,
): Promise<JobSummary> {
  const reference = counterReference(batches, copies);
  const sink = recordingSink();
  const summary = await runJob({
    source,
    operator: counter(copies),
    sink,
    ...(workers === undefined ? {} : { workers }),
    ...(partitions === undefined ? {} : { partitions }),
  });
  expect(sink.outputs).toEqual(reference.outputs);
  // One write per chunk that has outputs, in chunk order; none for chunks without outputs.
  expect(sink.chunks).toEqual([...new Set(reference.outputs.map(([chunk]) => chunk))]);
  expect(sink.closed).toBe(1);
  expect(summary).toMatchObject({
    events: reference.events,
    outputs: reference.outputs.length,
    chunks: batches.length,
    liveKeys: reference.liveKeys,
    interrupted: false,
  });
  expect(summary.elapsedMs).toBeGreaterThanOrEqual(0);
  expect(summary.p50BatchMs).toBeLessThanOrEqual(summary.p99BatchMs);
  if (reference.events > 0) expect(summary.eventsPerSecond).toBeGreaterThan(0);
  return summary;
}

async function* slowly<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

describe('runJob output', { timeout: 30_000 }, () => {
  // 30k events over 400 keys, chunks of 997 whose arrays carry junk past `count` (type 0 junk:
  // it would show up as outputs if anything read past count).
  const batches = toBatches(randomEvents(11, 30_000, 400), 997, 5);
  const reference = counterReference(batches);

  it('has a reference with outputs, resets and live keys (the premise of the matrix)', () => {
    expect(reference.outputs.length).toBeGreaterThan(5000);
    expect(reference.liveKeys).toBeGreaterThan(100);
    expect(reference.liveKeys).toBeLessThan(400);
  });

  it.each([
    [0, 1],
    [1, 1],
    [0, 7],
    [1, 7],
    [2, 7],
    [4, 7],
    [0, 128],
    [1, 128],
    [2, 128],
    [4, 128],
  ])('is in source order and the same for workers %i, partitions %i', async (workers, partitions) => {
    const summary = await checkCounterJob(batches, batches, workers, partitions);
    expect(summary.workers).toBe(workers);
    expect(summary.partitions).toBe(partitions);
    // Parts are copies: the caller's batches are not detached by the transfer to the workers.
    expect(batches[0]!.addresses.length).toBe(997 + 5);
  });

  it('preserves per-key order for random streams and chunkings (inline)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.constantFrom(0, 1, 2, 0xffffffff, 0x0a000001, 77), fc.integer({ min: 0, max: 3 })),
          {
            maxLength: 300,
          },
        ),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
        fc.constantFrom(1, 7, 128),
        async (events, sizes, partitions) => {
          const batches = toBatchesOfSizes(events as Event[], sizes);
          await checkCounterJob(batches, batches, 0, partitions);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('preserves per-key order for random streams and chunkings (worker threads)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 49 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 200,
          maxLength: 2000,
        }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 12 }),
        fc.constantFrom(7, 128),
        async (pool, draws, sizes, partitions) => {
          const events = draws.map(([k, type]): Event => [pool[k % pool.length]!, type]);
          const batches = toBatchesOfSizes(events, sizes);
          await checkCounterJob(batches, batches, 2, partitions);
        },
      ),
      { numRuns: 2 },
    );
  });

  it('accepts a sync generator as the source, with empty batches and several outputs per event', async () => {
    const mixed = [
      emptyBatch(),
      ...batches.slice(0, 3),
      emptyBatch(),
      emptyBatch(),
      ...batches.slice(3),
      emptyBatch(),
    ];
    function* generate() {
      yield* mixed;
    }
    const summary = await checkCounterJob(mixed, generate(), 2, 7, 3);
    expect(summary.chunks).toBe(batches.length + 4);
  });

  it('accepts an async generator as the source, with the default workers and partitions', async () => {
    const summary = await checkCounterJob(batches, slowly(batches), undefined, undefined);
    expect(summary.workers).toBe(availableParallelism());
    expect(summary.partitions).toBe(128);
  });

  it.each([0, 1])('handles an empty source (workers %i)', async (workers) => {
    const sink = recordingSink();
    const summary = await runJob({ source: [], operator: counter(), sink, workers, partitions: 7 });
    expect(summary).toMatchObject({ events: 0, outputs: 0, chunks: 0, liveKeys: 0, interrupted: false });
    expect(summary.workers).toBe(workers);
    expect(sink.chunks).toEqual([]);
    expect(sink.closed).toBe(1);
  });

  it('handles empty batches between full ones (inline, async source)', async () => {
    const events = randomEvents(5, 100, 10);
    const mixed = [emptyBatch(), ...toBatches(events.slice(0, 50), 50), emptyBatch(), emptyBatch()];
    mixed.push(...toBatches(events.slice(50), 50), emptyBatch());
    const summary = await checkCounterJob(mixed, slowly(mixed), 0, 7);
    expect(summary.chunks).toBe(6);
  });

  it('creates one operator per worker, for exactly its key-group range', async () => {
    const [workers, partitions] = [3, 7];
    const sink = recordingSink();
    const summary = await runJob({
      source: batches,
      operator: { module: fixture('range-recorder'), config: null },
      sink,
      workers,
      partitions,
    });
    expect(summary.outputs).toBe(reference.events);
    const rangesSeen = new Set<number>();
    const problems: string[] = [];
    for (const [, , key, code] of sink.outputs) {
      const kg = keyGroupOf(key, partitions);
      const expected = keyGroupRange(workerOfKeyGroup(kg, workers, partitions), workers, partitions);
      if (code !== expected.start * 65536 + expected.end)
        problems.push(`key ${key} (group ${kg}) got ${code}`);
      rangesSeen.add(code);
    }
    expect(problems).toEqual([]);
    expect(rangesSeen).toEqual(new Set([0 * 65536 + 2, 3 * 65536 + 4, 5 * 65536 + 6]));
  });

  it('gives the one inline operator every key group', async () => {
    const sink = recordingSink();
    await runJob({
      source: batches.slice(0, 2),
      operator: { module: fixture('range-recorder'), config: null },
      sink,
      workers: 0,
      partitions: 7,
    });
    expect(new Set(sink.outputs.map(([, , , code]) => code))).toEqual(new Set([0 * 65536 + 6]));
  });
});
