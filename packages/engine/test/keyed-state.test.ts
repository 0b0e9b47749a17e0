import { describe, expect, it } from 'vitest';
import { concatKeyedStates, splitKeyedState } from '../src/checkpoint/keyed-state.js';
import { threadStarts } from '../src/checkpoint/thread-starts.js';
import type { KeyedState } from '../src/operator.js';
import { keyGroupOf, keyGroupRange, workerOfKeyGroup } from '../src/partitioning/key-groups.js';
import { producerOfChunk } from '../src/sources/parallel-source.js';
import { sampleCheckpoint, sampleKeyedState } from './fixtures/checkpoint-samples.js';

/** key → [value, stamp] of a state, failing on a key that appears twice. */
function entriesOf(state: KeyedState): Map<number, [number, number | undefined]> {
  const entries = new Map<number, [number, number | undefined]>();
  const repeated: number[] = [];
  state.keys.forEach((key, i) => {
    if (entries.has(key)) repeated.push(key);
    entries.set(key, [state.values[i]!, state.stamps?.[i]]);
  });
  expect(repeated, 'keys that appear twice').toEqual([]);
  return entries;
}

/** Keys of `part` whose key group is not owned by `worker` (expected: none). */
function misplaced(part: KeyedState, worker: number, workers: number, partitions: number): number[] {
  const { start, end } = keyGroupRange(worker, workers, partitions);
  return Array.from(part.keys).filter((key) => {
    const group = keyGroupOf(key, partitions);
    return workerOfKeyGroup(group, workers, partitions) !== worker || group < start || group > end;
  });
}

const GRID: [workers: number, partitions: number][] = [
  [1, 1],
  [1, 128],
  [2, 2],
  [2, 7],
  [3, 5],
  [3, 128],
  [4, 16],
  [7, 1024],
];

describe('splitting a snapshot among W owners of P key groups', () => {
  it.each(GRID)(
    'W = %i, P = %i: every key exactly once, at the owner of its key group',
    (workers, partitions) => {
      for (const stamped of [false, true]) {
        const state = sampleKeyedState(3000, stamped, workers * 1000 + partitions);
        const parts = splitKeyedState(state, workers, partitions);
        expect(parts).toHaveLength(workers);
        const whole = entriesOf(state);
        let total = 0;
        parts.forEach((part, worker) => {
          expect(part.values).toHaveLength(part.keys.length);
          if (stamped) expect(part.stamps).toHaveLength(part.keys.length);
          else expect(part.stamps).toBeUndefined();
          expect(misplaced(part, worker, workers, partitions)).toEqual([]);
          const changed = [...entriesOf(part)].filter(
            ([key, [value, stamp]]) => whole.get(key)?.[0] !== value || whole.get(key)?.[1] !== stamp,
          );
          expect(changed).toEqual([]);
          total += part.keys.length;
        });
        expect(total).toBe(state.keys.length);
      }
    },
  );

  it('keeps the snapshot’s key order within each part (so a restore is deterministic)', () => {
    const state = sampleKeyedState(500, false, 5);
    const [first, second] = splitKeyedState(state, 2, 16);
    const order = new Map(Array.from(state.keys, (key, i) => [key, i]));
    for (const part of [first!, second!]) {
      const indexes = Array.from(part.keys, (key) => order.get(key)!);
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    }
  });

  it('W = 4 owners of an empty snapshot get empty parts', () => {
    const parts = splitKeyedState({ keys: new Uint32Array(0), values: new Uint32Array(0) }, 4, 128);
    expect(parts.map((p) => p.keys.length)).toEqual([0, 0, 0, 0]);
  });
});

describe('rescaling: concat the parts of one layout, split for another', () => {
  const LAYOUTS: [number, number][] = [
    [1, 1],
    [2, 16],
    [3, 128],
    [1, 128],
    [4, 7],
    [2, 1024],
  ];

  it('through every pair of layouts, no key is lost, duplicated or changed', () => {
    const state = sampleKeyedState(2000, true, 77);
    const whole = entriesOf(state);
    for (const [w1, p1] of LAYOUTS) {
      for (const [w2, p2] of LAYOUTS) {
        const rejoined = concatKeyedStates(splitKeyedState(state, w1, p1));
        const parts = splitKeyedState(rejoined, w2, p2);
        parts.forEach((part, worker) => {
          expect(misplaced(part, worker, w2, p2)).toEqual([]);
        });
        expect(entriesOf(concatKeyedStates(parts))).toEqual(whole);
      }
    }
  });

  it('concat of unstamped and stamped parts keeps values aligned and stamps 0 where none were kept', () => {
    const a = sampleKeyedState(10, false, 1);
    const b = sampleKeyedState(12, true, 2);
    const joined = concatKeyedStates([a, b]);
    expect(Array.from(joined.keys)).toEqual([...a.keys, ...b.keys]);
    expect(Array.from(joined.values)).toEqual([...a.values, ...b.values]);
    expect(Array.from(joined.stamps!)).toEqual([...new Array(10).fill(0), ...b.stamps!]);
    expect(concatKeyedStates([a, a]).stamps).toBeUndefined();
    expect(concatKeyedStates([]).keys).toHaveLength(0);
  });
});

describe('thread starts from a checkpoint', () => {
  it('each thread gets its key groups’ keys and the splits of the producers it hosts, all of them once', () => {
    const checkpoint = sampleCheckpoint({ keys: 400, stamped: true, seed: 8 });
    checkpoint.splits = Array.from({ length: 11 }, (_, split) => ({ split, state: Uint8Array.of(split) }));
    for (const [workers, partitions, producers] of [
      [1, 1, 1],
      [2, 128, 1],
      [2, 16, 3],
      [3, 128, 5],
    ] as const) {
      const starts = threadStarts(checkpoint, {
        workers,
        partitions,
        sourceParallelism: producers,
        splits: 11,
      });
      expect(starts).toHaveLength(workers);
      const splitsSeen: number[] = [];
      let keys = 0;
      starts.forEach((start, thread) => {
        expect(start.chunk).toBe(checkpoint.chunk);
        expect(start.firstEvent).toBe(checkpoint.firstEvent);
        expect(misplaced(start.keyed!, thread, workers, partitions)).toEqual([]);
        keys += start.keyed!.keys.length;
        for (const { split } of start.splits) {
          // Producer p runs on thread p mod W.
          expect(producerOfChunk(split, 11, producers) % workers).toBe(thread);
          splitsSeen.push(split);
        }
      });
      expect(keys).toBe(400);
      expect(splitsSeen.sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    }
  });

  it('without a checkpoint every thread starts at chunk 0 with nothing', () => {
    expect(threadStarts(undefined, { workers: 3, partitions: 8, sourceParallelism: 2, splits: 5 })).toEqual(
      Array.from({ length: 3 }, () => ({ chunk: 0, firstEvent: 0, splits: [] })),
    );
  });
});
