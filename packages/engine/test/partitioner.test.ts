import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBatch, WorkerPart } from '../src/batch.js';
import { keyGroupOf, keyGroupRange, workerOfKeyGroup } from '../src/partitioning/key-groups.js';
import { PartPool } from '../src/partitioning/part-pool.js';
import { Partitioner } from '../src/partitioning/partitioner.js';
import { type Event, toBatches } from './helpers.js';

/** The problems with a split (none when it is right); plain comparisons, it runs per event. */
function splitProblems(
  batch: EventBatch,
  parts: (WorkerPart | undefined)[],
  workers: number,
  partitions: number,
) {
  const problems: string[] = [];
  if (parts.length !== workers) problems.push(`${parts.length} parts for ${workers} workers`);
  const seen = new Uint8Array(batch.count);
  const ownerOfAddress = new Map<number, number>();
  parts.forEach((part, w) => {
    if (part === undefined) return;
    if (part.count === 0) problems.push(`worker ${w}: part with no events is not undefined`);
    const { start, end } = keyGroupRange(w, workers, partitions);
    for (const array of [part.addresses, part.types, part.keyGroups, part.positions]) {
      if (array.length < part.count) problems.push(`worker ${w}: array shorter than count`);
      if (array.buffer === batch.addresses.buffer || array.buffer === batch.types.buffer) {
        problems.push(`worker ${w}: part shares the source batch's memory (transfer would detach it)`);
      }
    }
    const buffers = new Set([
      part.addresses.buffer,
      part.types.buffer,
      part.keyGroups.buffer,
      part.positions.buffer,
    ]);
    if (buffers.size !== 4) problems.push(`worker ${w}: columns share a buffer (cannot all be transferred)`);
    let previous = -1;
    for (let j = 0; j < part.count; j++) {
      const position = part.positions[j]!;
      if (position <= previous) problems.push(`worker ${w}: position ${position} after ${previous}`);
      previous = position;
      if (position >= batch.count) {
        problems.push(`worker ${w}: position ${position} beyond count ${batch.count}`);
        continue;
      }
      if (seen[position]!++ > 0) problems.push(`event ${position} in two parts`);
      const address = part.addresses[j]!;
      if (address !== batch.addresses[position]) problems.push(`worker ${w}: wrong address at ${position}`);
      if (part.types[j] !== batch.types[position]) problems.push(`worker ${w}: wrong type at ${position}`);
      const kg = keyGroupOf(address, partitions);
      if (part.keyGroups[j] !== kg) problems.push(`worker ${w}: wrong key group for ${address}`);
      if (kg < start || kg > end || workerOfKeyGroup(kg, workers, partitions) !== w) {
        problems.push(`worker ${w}: key group ${kg} is not its own`);
      }
      const owner = ownerOfAddress.get(address) ?? w;
      if (owner !== w) problems.push(`address ${address} sent to workers ${owner} and ${w}`);
      ownerOfAddress.set(address, w);
    }
  });
  const missing = seen.indexOf(0);
  if (missing !== -1) problems.push(`event ${missing} in no part`);
  return problems;
}

const event = (pool: fc.Arbitrary<number>) =>
  fc.tuple(pool, fc.integer({ min: 0, max: 255 })).map((e): Event => [e[0], e[1]]);
const addresses = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 1, 0xffffffff),
  fc.integer({ min: 0x0a000000, max: 0x0a00000f }),
);
const workersAndPartitions = fc
  .integer({ min: 1, max: 200 })
  .chain((partitions) =>
    fc.tuple(fc.integer({ min: 1, max: Math.min(partitions, 9) }), fc.constant(partitions)),
  );

describe('Partitioner.split', () => {
  it('sends every event once, in source order, to the owner of its key group', () => {
    fc.assert(
      fc.property(
        workersAndPartitions,
        fc.array(fc.array(event(addresses), { minLength: 1, maxLength: 300 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 5 }),
        ([workers, partitions], chunks, padding) => {
          // One partitioner for several chunks: its scratch state must not leak between them.
          const partitioner = new Partitioner(workers, partitions);
          for (const events of chunks) {
            const batch = toBatches(events, events.length, padding)[0]!;
            const copy = { addresses: batch.addresses.slice(), types: batch.types.slice() };
            const parts = partitioner.split(batch);
            expect(splitProblems(batch, parts, workers, partitions)).toEqual([]);
            expect(batch.addresses).toEqual(copy.addresses); // the source batch is left alone
            expect(batch.types).toEqual(copy.types);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves workers without events undefined', () => {
    const partitions = 128;
    // Every address of key group 0 (owned by worker 0 of 4) and none of any other.
    const ofGroupZero: number[] = [];
    for (let a = 0; ofGroupZero.length < 20; a++) if (keyGroupOf(a, partitions) === 0) ofGroupZero.push(a);
    const batch = toBatches(
      ofGroupZero.map((a): Event => [a, 3]),
      20,
    )[0]!;
    const parts = new Partitioner(4, partitions).split(batch);
    expect(parts).toHaveLength(4);
    expect(parts[0]?.count).toBe(20);
    expect(Array.from(parts[0]!.positions.subarray(0, 20))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(parts.slice(1)).toEqual([undefined, undefined, undefined]);
  });

  it('gives no parts at all for an empty batch when W > 1', () => {
    const empty: EventBatch = { count: 0, addresses: new Uint32Array(8), types: new Uint8Array(8) };
    expect(new Partitioner(3, 7).split(empty)).toEqual([undefined, undefined, undefined]);
  });

  it('with one worker, passes the whole batch as one part with positions 0..count-1', () => {
    const events: Event[] = [
      [0xffffffff, 1],
      [0, 2],
      [7, 3],
      [0, 4],
    ];
    for (const partitions of [1, 7, 128]) {
      const batch = toBatches(events, 4, 3)[0]!; // arrays longer than count: the tail is junk
      const parts = new Partitioner(1, partitions).split(batch);
      expect(parts).toHaveLength(1);
      const part = parts[0]!;
      expect(part.count).toBe(4);
      expect(Array.from(part.addresses.subarray(0, 4))).toEqual([0xffffffff, 0, 7, 0]);
      expect(Array.from(part.types.subarray(0, 4))).toEqual([1, 2, 3, 4]);
      expect(Array.from(part.positions.subarray(0, 4))).toEqual([0, 1, 2, 3]);
      expect(Array.from(part.keyGroups.subarray(0, 4))).toEqual(
        events.map(([a]) => keyGroupOf(a, partitions)),
      );
      expect(splitProblems(batch, parts, 1, partitions)).toEqual([]);
    }
  });
});

describe('Partitioner.keyGroupEvents', () => {
  it('counts the events of every chunk split so far per key group, for any W and P', () => {
    fc.assert(
      fc.property(
        workersAndPartitions,
        fc.array(fc.array(event(addresses), { minLength: 0, maxLength: 300 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
        ([workers, partitions], chunks, includeEmpty) => {
          const partitioner = new Partitioner(workers, partitions);
          const expected = new Array<number>(partitions).fill(0);
          for (const events of chunks) {
            const batch =
              events.length === 0
                ? { count: 0, addresses: new Uint32Array(0), types: new Uint8Array(0) }
                : toBatches(events, events.length, 2)[0]!;
            const parts = includeEmpty ? partitioner.splitAll(batch) : partitioner.split(batch);
            // Counting must not disturb the owners' part sizes.
            expect(parts.reduce((n, part) => n + (part?.count ?? 0), 0)).toBe(events.length);
            for (const [address] of events) expected[keyGroupOf(address, partitions)]!++;
          }
          expect(Array.from(partitioner.keyGroupEvents)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fills recycled parts from a PartPool (longer than needed, reused every chunk) as fresh ones', () => {
    fc.assert(
      fc.property(
        workersAndPartitions,
        fc.array(fc.array(event(addresses), { minLength: 1, maxLength: 300 }), {
          minLength: 2,
          maxLength: 6,
        }),
        ([workers, partitions], chunks) => {
          const pool = new PartPool(workers);
          const recycling = new Partitioner(workers, partitions, pool);
          const fresh = new Partitioner(workers, partitions);
          for (const events of chunks) {
            const batch = toBatches(events, events.length, 0)[0]!;
            const parts = recycling.split(batch);
            expect(splitProblems(batch, parts, workers, partitions)).toEqual([]);
            const expected = fresh.split(batch);
            parts.forEach((part, w) => {
              if (part === undefined) return;
              const n = part.count;
              expect(n).toBe(expected[w]!.count);
              expect(part.addresses.subarray(0, n)).toEqual(expected[w]!.addresses.subarray(0, n));
              expect(part.positions.subarray(0, n)).toEqual(expected[w]!.positions.subarray(0, n));
              expect(part.keyGroups.subarray(0, n)).toEqual(expected[w]!.keyGroups.subarray(0, n));
              pool.give(w, part);
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Partitioner.whole', () => {
  it("is one owner's split without copying: the batch's own columns, key groups and positions as split's", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        // Chunks of growing and shrinking sizes: the reused key groups and positions must fit each.
        fc.array(fc.array(event(addresses), { minLength: 0, maxLength: 300 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (partitions, chunks) => {
          const whole = new Partitioner(1, partitions);
          const copying = new Partitioner(1, partitions);
          for (const events of chunks) {
            const batch =
              events.length === 0
                ? { count: 0, addresses: new Uint32Array(0), types: new Uint8Array(0) }
                : toBatches(events, events.length, 2)[0]!;
            const part = whole.whole(batch);
            const [expected] = copying.splitAll(batch);
            const n = batch.count;
            expect(part.count).toBe(n);
            expect(part.addresses).toBe(batch.addresses);
            expect(part.types).toBe(batch.types);
            expect(part.keyGroups.subarray(0, n)).toEqual(expected!.keyGroups.subarray(0, n));
            expect(part.positions.subarray(0, n)).toEqual(expected!.positions.subarray(0, n));
          }
          expect(whole.keyGroupEvents).toEqual(copying.keyGroupEvents);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is refused with more than one owner', () => {
    const batch = toBatches([[1, 1]], 1, 0)[0]!;
    expect(() => new Partitioner(2, 8).whole(batch)).toThrow(/one owner's part, not 2's/);
  });
});
