import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressTable, REJECT_TRANSITION } from '../src/state/address-table.js';

/** A random transition table over stored values 0..values and event codes 0..codes-1. */
function transitionsOver(values: number, codes: number): fc.Arbitrary<Uint16Array> {
  const entry = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: values }) },
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constant(REJECT_TRANSITION) },
  );
  return fc
    .array(entry, { minLength: (values + 1) * codes, maxLength: (values + 1) * codes })
    .map((cells) => {
      const table = new Uint16Array((values + 1) << 8).fill(REJECT_TRANSITION);
      cells.forEach((next, k) => {
        table[(Math.floor(k / codes) << 8) | (k % codes)] = next;
      });
      return table;
    });
}

/** What applyTransitions must do, with a Map: the rejected events and the final contents. */
function model(initial: Map<number, number>, keys: number[], codes: number[], transitions: Uint16Array) {
  const state = new Map(initial);
  const rejected: [number, number][] = [];
  keys.forEach((key, i) => {
    const value = state.get(key) ?? 0;
    const next = transitions[(value << 8) | codes[i]!]!;
    if (next === REJECT_TRANSITION) rejected.push([i, value]);
    else if (next === 0) state.delete(key);
    else state.set(key, next);
  });
  return { state, rejected };
}

const VALUES = 6;
const CODES = 4;
const keyPool = fc.oneof(
  fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff),
  fc.integer({ min: 2, max: 40 }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

describe('AddressTable.applyTransitions', () => {
  it('agrees with a Map: stored values, removals and rejected events with the value they met', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyPool, fc.integer({ min: 1, max: VALUES })), { maxLength: 30 }),
        fc.array(fc.tuple(keyPool, fc.integer({ min: 0, max: CODES - 1 })), { maxLength: 600 }),
        transitionsOver(VALUES, CODES),
        (preloaded, events, transitions) => {
          const table = new AddressTable();
          const initial = new Map<number, number>();
          for (const [key, value] of preloaded) {
            table.set(key, value);
            initial.set(key, value);
          }
          const keys = events.map(([key]) => key);
          const codes = events.map(([, code]) => code);
          const expected = model(initial, keys, codes, transitions);
          const rejectedAt = new Uint32Array(keys.length);
          const rejectedValue = new Uint8Array(keys.length);
          const rejected = table.applyTransitions(
            Uint32Array.from(keys),
            Uint8Array.from(codes),
            keys.length,
            transitions,
            rejectedAt,
            rejectedValue,
          );
          const got: [number, number][] = [];
          for (let r = 0; r < rejected; r++) got.push([rejectedAt[r]!, rejectedValue[r]!]);
          expect(got).toEqual(expected.rejected);
          const contents = new Map<number, number>();
          table.forEach((key, value) => {
            contents.set(key, value);
          });
          expect(contents).toEqual(expected.state);
          expect(table.count).toBe(expected.state.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows across runs: 50,000 new keys in one call, each found again afterwards', () => {
    const table = new AddressTable();
    const n = 50_000;
    const keys = Uint32Array.from({ length: n }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0);
    const transitions = new Uint16Array(2 << 8).fill(REJECT_TRANSITION);
    transitions[0] = 1; // absent, code 0 → store 1
    transitions[1 << 8] = 0; // 1, code 0 → remove
    const none = new Uint32Array(n);
    expect(table.applyTransitions(keys, new Uint8Array(n), n, transitions, none, new Uint8Array(n))).toBe(0);
    expect(table.count).toBe(n);
    expect(table.capacity).toBeGreaterThanOrEqual(2 * n);
    let missing = 0;
    for (const key of keys) if (table.get(key) !== 1) missing++;
    expect(missing).toBe(0);
    table.applyTransitions(keys, new Uint8Array(n), n, transitions, none, new Uint8Array(n));
    expect(table.count).toBe(0);
  });

  it('refuses a stamped table and rejected columns that are too short', () => {
    const transitions = new Uint16Array(1 << 8);
    const one = Uint32Array.of(5);
    expect(() =>
      new AddressTable(16, true).applyTransitions(
        one,
        Uint8Array.of(0),
        1,
        transitions,
        one,
        Uint8Array.of(0),
      ),
    ).toThrow(/unstamped/);
    expect(() =>
      new AddressTable().applyTransitions(
        one,
        Uint8Array.of(0),
        1,
        transitions,
        new Uint32Array(0),
        Uint8Array.of(0),
      ),
    ).toThrow(/room for 1/);
  });
});
