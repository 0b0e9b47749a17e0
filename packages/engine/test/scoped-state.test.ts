import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../src/batch.js';
import type { KeyedState } from '../src/operator.js';
import { runJob } from '../src/runtime/job.js';
import type { ScopedBatch, SequentialItem } from '../src/runtime/state-commands.js';
import { counterReference, fixture, type Output, randomEvents, recordingSink, toBatches } from './helpers.js';

/** The counter fixture's counts, as a sorted list of [key, count]. */
function countsOf(state: KeyedState): [number, number][] {
  return Array.from(state.keys, (key, i): [number, number] => [key, state.values[i]!]).sort(
    (a, b) => a[0] - b[0],
  );
}

/** What the counter keeps after these batches: each key's count of events since it was last forgotten. */
function referenceCounts(batches: readonly EventBatch[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const batch of batches) {
    for (let i = 0; i < batch.count; i++) {
      const key = batch.addresses[i]!;
      if (batch.types[i] === 1) counts.delete(key);
      else counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

const scoped = (batch: EventBatch, scope: number): ScopedBatch => ({ ...batch, scope });

/** Outputs of a scope's own run, renumbered to the chunks of the interleaved stream. */
function renumber(outputs: readonly Output[], chunks: readonly number[]): Output[] {
  return outputs.map(([chunk, position, key, code]) => [chunks[chunk]!, position, key, code]);
}

describe('state scopes of a sequential source', () => {
  // Two scopes over the same 50 keys: each must count only its own events.
  const a = toBatches(randomEvents(1, 3_000, 50), 250);
  const b = toBatches(randomEvents(2, 3_000, 50), 250);

  it.each([
    [0, 1],
    [1, 16],
    [2, 16],
    [3, 128],
  ])(
    'keeps each scope apart, and snapshots, drops and restores it between chunks (workers %i, partitions %i)',
    async (workers, partitions) => {
      const snapshots: Record<string, KeyedState> = {};
      const take = (name: string, scope: number): SequentialItem => ({
        command: 'snapshot',
        scope,
        done: (state) => {
          snapshots[name] = state;
        },
      });
      const items: SequentialItem[] = [];
      const chunksOfA: number[] = [];
      const chunksOfB: number[] = [];
      for (let i = 0; i < a.length; i++) {
        chunksOfA.push(chunksOfA.length + chunksOfB.length);
        items.push(scoped(a[i]!, 1));
        chunksOfB.push(chunksOfA.length + chunksOfB.length);
        items.push(scoped(b[i]!, 2));
        if (i === 5) items.push(take('a after 6', 1), take('b after 6', 2), take('never used', 9));
      }
      items.push(take('a at end', 1));
      const sink = recordingSink();
      const summary = await runJob({
        source: items,
        operator: { module: fixture('counter'), config: {} },
        sink,
        workers,
        partitions,
      });

      const expected = [
        ...renumber(counterReference(a).outputs, chunksOfA),
        ...renumber(counterReference(b).outputs, chunksOfB),
      ].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      expect(sink.outputs).toEqual(expected);
      expect(summary.liveKeys).toBe(counterReference(a).liveKeys + counterReference(b).liveKeys);
      expect(countsOf(snapshots['a after 6']!)).toEqual(referenceCounts(a.slice(0, 6)));
      expect(countsOf(snapshots['b after 6']!)).toEqual(referenceCounts(b.slice(0, 6)));
      expect(countsOf(snapshots['a at end']!)).toEqual(referenceCounts(a));
      expect(snapshots['never used']!.keys.length).toBe(0);
    },
  );

  it.each([0, 2])(
    'a restored scope goes on from its state; a dropped one starts over (workers %i)',
    async (workers) => {
      const first = a.slice(0, 6);
      const rest = a.slice(6);
      let moved: KeyedState | undefined;
      const prefix: SequentialItem[] = [
        ...first.map((batch) => scoped(batch, 1)),
        {
          command: 'snapshot',
          scope: 1,
          done: (state) => {
            moved = state;
          },
        },
      ];
      await runJob({
        source: prefix,
        operator: { module: fixture('counter'), config: {} },
        sink: recordingSink(),
        workers,
        partitions: 16,
      });

      // Another job takes scope 1 over (as scope 7), with other partition and worker counts.
      const sink = recordingSink();
      const dropped = recordingSink();
      await runJob({
        source: [{ command: 'restore', scope: 7, state: moved! }, ...rest.map((batch) => scoped(batch, 7))],
        operator: { module: fixture('counter'), config: {} },
        sink,
        workers: workers === 0 ? 0 : 3,
        partitions: 128,
      });
      const whole = counterReference(a).outputs.filter(([chunk]) => chunk >= 6);
      expect(sink.outputs).toEqual(
        whole.map(([chunk, position, key, code]) => [chunk - 6, position, key, code]),
      );

      await runJob({
        source: [
          ...first.map((batch) => scoped(batch, 1)),
          { command: 'drop', scope: 1 },
          ...rest.map((batch) => scoped(batch, 1)),
        ],
        operator: { module: fixture('counter'), config: {} },
        sink: dropped,
        workers,
        partitions: 16,
      });
      const fresh = counterReference(rest).outputs;
      expect(dropped.outputs.filter(([chunk]) => chunk >= 6)).toEqual(
        fresh.map(([chunk, position, key, code]) => [chunk + 6, position, key, code]),
      );
    },
  );

  it.each([0, 2])(
    'fails the job in one line when the operator cannot snapshot (workers %i)',
    async (workers) => {
      const job = runJob({
        source: [scoped(a[0]!, 1), { command: 'snapshot', scope: 1, done: () => undefined }],
        operator: { module: fixture('counter'), config: { checkpointable: false } },
        sink: recordingSink(),
        workers,
        partitions: 16,
      });
      await expect(job).rejects.toMatchObject({
        code: 'WORKER_FAILED',
        message: expect.stringContaining('the operator cannot be checkpointed: it has no snapshot()'),
      });
    },
  );

  it('a failing snapshot callback fails the job with its reason', async () => {
    const job = runJob({
      source: [
        scoped(a[0]!, 1),
        {
          command: 'snapshot',
          scope: 1,
          done: () => {
            throw new Error('disk full');
          },
        },
        scoped(a[1]!, 1),
      ],
      operator: { module: fixture('counter'), config: {} },
      sink: recordingSink(),
      workers: 1,
      partitions: 16,
    });
    await expect(job).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      message: expect.stringContaining('disk full'),
    });
  });
});
