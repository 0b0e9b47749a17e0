import { describe, expect, it } from 'vitest';
import { compileMachine, FLINK_MACHINE, generateChunks, SEED_MACHINE } from '../src/index.js';
import { createOperator } from '../src/operator.js';
import type { StateTtl } from '../src/state-ttl.js';
import { OperatorCluster, stateByKey } from './operator-cluster.js';

const CHUNKS = [
  ...generateChunks({
    machine: compileMachine(SEED_MACHINE),
    events: 40_000,
    seed: 5,
    errorRate: 0.03,
    splits: 4,
    chunkSize: 500,
  }),
];
const TTL: StateTtl = { unit: 'events', amount: 1_500 };

/** [W, P] before the snapshot and after the restore. */
const RESCALES: [[number, number], [number, number]][] = [
  [
    [1, 1],
    [3, 128],
  ],
  [
    [3, 128],
    [1, 1],
  ],
  [
    [2, 16],
    [4, 7],
  ],
  [
    [4, 128],
    [2, 128],
  ],
];

describe('the state machine operator restored into instances with other key-group ranges', () => {
  for (const ttl of [undefined, TTL]) {
    it.each(RESCALES)(
      `${ttl === undefined ? 'no TTL' : 'TTL 1500 events'}: %j → %j gives the uninterrupted alerts and state`,
      ([w1, p1], [w2, p2]) => {
        const uninterrupted = new OperatorCluster(SEED_MACHINE, w1, p1, ttl);
        uninterrupted.run(CHUNKS, 0, CHUNKS.length);
        expect(uninterrupted.lines.length).toBeGreaterThan(500);
        // With the TTL, addresses do expire in this stream (else the stamps would be untested).
        if (ttl !== undefined) expect(uninterrupted.expiredKeys()).toBeGreaterThan(100);

        for (const at of [1, 33, 64]) {
          const before = new OperatorCluster(SEED_MACHINE, w1, p1, ttl);
          before.run(CHUNKS, 0, at);
          const snapshot = before.snapshot();
          expect(snapshot.keys.length).toBe(before.liveKeys());
          if (ttl === undefined) expect(snapshot.stamps).toBeUndefined();
          else expect(snapshot.stamps).toHaveLength(snapshot.keys.length);

          const after = new OperatorCluster(SEED_MACHINE, w2, p2, ttl);
          after.restore(structuredClone(snapshot));
          expect(after.liveKeys()).toBe(snapshot.keys.length);
          expect(stateByKey(after.snapshot())).toEqual(stateByKey(snapshot));
          after.run(CHUNKS, at, CHUNKS.length);
          expect([...before.lines, ...after.lines]).toEqual(uninterrupted.lines);
          expect(after.liveKeys()).toBe(uninterrupted.liveKeys());
          expect(stateByKey(after.snapshot())).toEqual(stateByKey(uninterrupted.snapshot()));
          if (ttl !== undefined) {
            // The restored instances count their own expiries: before + after = uninterrupted.
            expect(before.expiredKeys() + after.expiredKeys()).toBe(uninterrupted.expiredKeys());
          }
        }
      },
    );
  }

  it('snapshot values are machine states (0-based), in range for the machine', () => {
    const flink = compileMachine(FLINK_MACHINE);
    const chunks = [
      ...generateChunks({ machine: flink, events: 5_000, seed: 1, splits: 2, chunkSize: 1000 }),
    ];
    const cluster = new OperatorCluster(FLINK_MACHINE, 1, 1);
    cluster.run(chunks, 0, chunks.length);
    const { values } = cluster.snapshot();
    expect(values.length).toBeGreaterThan(100);
    expect(Math.max(...values)).toBeLessThan(flink.stateNames.length);
    expect(new Set(values).size).toBeGreaterThan(1);
  });

  it('an instance refuses to restore an address outside its key groups, naming it', () => {
    const operator = createOperator(
      { machine: SEED_MACHINE },
      { partitions: 128, keyGroupStart: 0, keyGroupEnd: 63 },
    );
    const cluster = new OperatorCluster(SEED_MACHINE, 1, 128);
    cluster.run(CHUNKS, 0, 4);
    const { keys, values } = cluster.snapshot();
    expect(() => operator.restore!({ keys, values })).toThrow(
      /^restored address \d+ is not in key groups 0\.\.63$/,
    );
  });
});
