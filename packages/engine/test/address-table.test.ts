import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressTable } from '../src/state/address-table.js';

const FIBONACCI = 0x9e3779b1;

/** The multiplicative inverse of an odd uint32 modulo 2^32 (Newton's iteration). */
function inverseOf(odd: number): number {
  let inverse = odd;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(odd, inverse));
  return inverse >>> 0;
}

/**
 * Addresses whose Fibonacci hash shares its top 16 bits, so they land in the same home slot for
 * every capacity up to 65536: long probe clusters that exercise backward-shift deletion. With
 * `top = 0xffff` the home slot is the last one and clusters wrap around to slot 0.
 */
function collidingAddresses(top: number, n: number): number[] {
  const inverse = inverseOf(FIBONACCI);
  return Array.from({ length: n }, (_, low) => Math.imul(((top << 16) | (low * 7919)) >>> 0, inverse) >>> 0);
}

type Op =
  | { op: 'set'; address: number; value: number }
  | { op: 'get'; address: number }
  | { op: 'delete'; address: number };

function opsOver(addresses: fc.Arbitrary<number>): fc.Arbitrary<Op[]> {
  return fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('set' as const),
          address: addresses,
          value: fc.integer({ min: 1, max: 255 }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), address: addresses }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), address: addresses }) },
    ),
    { maxLength: 400 },
  );
}

/** Applies the operations to a table and to a Map, checking they agree after every step. */
function checkAgainstMap(ops: readonly Op[], capacity?: number): void {
  const table = new AddressTable(capacity);
  const model = new Map<number, number>();
  for (const step of ops) {
    if (step.op === 'set') {
      table.set(step.address, step.value);
      model.set(step.address, step.value);
    } else if (step.op === 'delete') {
      expect(table.delete(step.address)).toBe(model.delete(step.address));
    }
    expect(table.get(step.address)).toBe(model.get(step.address) ?? 0);
    expect(table.count).toBe(model.size);
  }
  for (const [address, value] of model) expect(table.get(address)).toBe(value);
  const visited = new Map<number, number>();
  table.forEach((address, value) => {
    expect(visited.has(address)).toBe(false);
    visited.set(address, value);
  });
  expect(visited).toEqual(model);
}

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const edges = fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff);

describe('AddressTable', () => {
  it('agrees with a Map over a small key pool (0 and 0xffffffff included)', () => {
    fc.assert(
      fc.property(opsOver(fc.oneof(edges, fc.integer({ min: 2, max: 9 }))), (ops) => checkAgainstMap(ops)),
      {
        numRuns: 300,
      },
    );
  });

  it('agrees with a Map over the whole uint32 range', () => {
    fc.assert(
      fc.property(opsOver(fc.oneof(uint32, edges)), (ops) => checkAgainstMap(ops)),
      { numRuns: 200 },
    );
  });

  it('agrees with a Map when every key hashes to the same slot, with and without wrap-around', () => {
    const pools = [collidingAddresses(0x1234, 40), collidingAddresses(0xffff, 40), collidingAddresses(0, 40)];
    for (const pool of pools) {
      // They really share a home slot at the smallest capacity (the premise of this test).
      expect(new Set(pool.map((a) => Math.imul(a, FIBONACCI) >>> 28)).size).toBe(1);
    }
    const pool = fc.oneof(...pools.map((addresses) => fc.constantFrom(...addresses)));
    fc.assert(
      fc.property(opsOver(pool), (ops) => checkAgainstMap(ops)),
      { numRuns: 300 },
    );
  });

  it('agrees with a Map for any initial capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), opsOver(fc.oneof(edges, uint32)), (capacity, ops) =>
        checkAgainstMap(ops, capacity),
      ),
      { numRuns: 50 },
    );
  });

  it('grows through many resizes and keeps every entry', () => {
    const table = new AddressTable();
    const initialCapacity = table.capacity;
    const n = 100_000;
    const address = (i: number) => Math.imul(i, 2654435761) >>> 0; // distinct for distinct i
    for (let i = 0; i < n; i++) table.set(address(i), (i % 255) + 1);
    table.set(0xffffffff, 7);
    expect(address(0)).toBe(0);
    expect(table.count).toBe(n + 1); // address(i) never hits 0xffffffff for i < n

    expect(table.capacity).toBeGreaterThanOrEqual(initialCapacity * 2 ** 13);
    expect(table.capacity).toBeGreaterThanOrEqual(2 * table.count); // at most half full
    let wrong = 0;
    for (let i = 0; i < n; i++) if (table.get(address(i)) !== (i % 255) + 1) wrong++;
    expect(wrong).toBe(0);
    expect(table.get(0xffffffff)).toBe(7);

    let notDeleted = 0;
    for (let i = 0; i < n; i += 2) if (!table.delete(address(i))) notDeleted++;
    expect(notDeleted).toBe(0);
    expect(table.count).toBe(n / 2 + 1);
    for (let i = 0; i < n; i++) if (table.get(address(i)) !== (i % 2 === 0 ? 0 : (i % 255) + 1)) wrong++;
    expect(wrong).toBe(0);
    const live = new Map<number, number>([[0xffffffff, 7]]);
    for (let i = 1; i < n; i += 2) live.set(address(i), (i % 255) + 1);
    table.forEach((key, value) => {
      if (live.get(key) !== value) wrong++;
      live.delete(key);
    });
    expect(wrong).toBe(0);
    expect(live.size).toBe(0); // every live entry visited, none twice
  });

  it('stores address 0 and 0xffffffff like any other', () => {
    const table = new AddressTable();
    expect(table.get(0)).toBe(0);
    table.set(0, 1);
    table.set(0xffffffff, 255);
    expect([table.get(0), table.get(0xffffffff), table.count]).toEqual([1, 255, 2]);
    table.set(0, 9);
    expect([table.get(0), table.count]).toEqual([9, 2]);
    expect(table.delete(0)).toBe(true);
    expect([table.get(0), table.get(0xffffffff), table.count]).toEqual([0, 255, 1]);
  });

  it('delete of an absent key returns false and changes nothing', () => {
    const table = new AddressTable();
    expect(table.delete(42)).toBe(false);
    expect(table.count).toBe(0);
    table.set(1, 5);
    table.set(2, 6);
    expect(table.delete(3)).toBe(false);
    expect(table.delete(0)).toBe(false);
    expect(table.delete(1)).toBe(true);
    expect(table.delete(1)).toBe(false);
    expect(table.count).toBe(1);
    expect(table.get(2)).toBe(6);
  });

  it('forEach visits nothing on an empty table', () => {
    const table = new AddressTable();
    let visits = 0;
    table.forEach(() => {
      visits++;
    });
    expect(visits).toBe(0);
  });
});
