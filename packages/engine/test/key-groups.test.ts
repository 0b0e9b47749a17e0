import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmix32 } from '../src/partitioning/fmix32.js';
import {
  DEFAULT_PARTITIONS,
  keyGroupOf,
  keyGroupRange,
  MAX_PARTITIONS,
  uint32Mod,
  workerOfKeyGroup,
} from '../src/partitioning/key-groups.js';
import { prng, randomUint32 } from './helpers.js';

function inverseOf(odd: number): number {
  let inverse = odd;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(odd, inverse));
  return inverse >>> 0;
}

/** Undoes fmix32 step by step: if this is a left inverse on every sample, fmix32 is injective. */
function unfmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, inverseOf(0xc2b2ae35));
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, inverseOf(0x85ebca6b));
  h ^= h >>> 16;
  return h >>> 0;
}

const uint32 = fc.integer({ min: 0, max: 0xffffffff });

describe('fmix32', () => {
  it("matches MurmurHash3's finalizer on known values", () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });

  it('returns a uint32, deterministically', () => {
    fc.assert(
      fc.property(uint32, (x) => {
        const h = fmix32(x);
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
        expect(fmix32(x)).toBe(h);
      }),
    );
  });

  it('is a bijection: it has a left inverse on every sampled input', () => {
    fc.assert(
      fc.property(uint32, (x) => {
        expect(unfmix32(fmix32(x))).toBe(x);
      }),
      { numRuns: 2000 },
    );
    expect(unfmix32(fmix32(0xffffffff))).toBe(0xffffffff);
  });

  it('maps 200k distinct inputs to 200k distinct outputs', () => {
    const random = prng(7);
    const inputs = new Set<number>();
    while (inputs.size < 200_000) inputs.add(randomUint32(random));
    const outputs = new Set<number>();
    for (const x of inputs) outputs.add(fmix32(x));
    expect(outputs.size).toBe(inputs.size);
  });
});

describe('keyGroupOf', () => {
  it('is fmix32(address) mod P, in [0, P)', () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 1, max: MAX_PARTITIONS }), (address, partitions) => {
        const kg = keyGroupOf(address, partitions);
        expect(Number.isInteger(kg) && kg >= 0 && kg < partitions).toBe(true);
        expect(kg).toBe(fmix32(address) % partitions);
      }),
      { numRuns: 2000 },
    );
  });

  it('computes hash mod P in int32 arithmetic, equal to % for every uint32 hash, above 2^31 too', () => {
    const hashes = fc.oneof(uint32, fc.integer({ min: 0x7fffff00, max: 0xffffffff }));
    fc.assert(
      fc.property(hashes, fc.integer({ min: 1, max: MAX_PARTITIONS }), (hash, partitions) => {
        expect(uint32Mod(hash, partitions)).toBe(hash % partitions);
      }),
      { numRuns: 5000 },
    );
    for (const partitions of [1, 2, 3, 96, 128, 1000, MAX_PARTITIONS - 1, MAX_PARTITIONS]) {
      for (const hash of [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff])
        expect(uint32Mod(hash, partitions)).toBe(hash % partitions);
    }
  });

  it.each([1, 7, 128, 1024])('reaches every key group for P = %i', (partitions) => {
    const random = prng(partitions);
    const hits = new Uint32Array(partitions);
    for (let i = 0; i < 64 * partitions; i++) hits[keyGroupOf(randomUint32(random), partitions)]!++;
    expect(hits.indexOf(0)).toBe(-1);
    // Sequential addresses (a /16 of IPv4 space) spread over every group as well.
    hits.fill(0);
    for (let i = 0; i < 65536; i++) hits[keyGroupOf(0x0a000000 + i, partitions)]!++;
    expect(hits.indexOf(0)).toBe(-1);
  });

  it('defaults to 128 partitions, at most 2^20', () => {
    expect(DEFAULT_PARTITIONS).toBe(128);
    expect(MAX_PARTITIONS).toBe(1 << 20);
  });
});

/**
 * The problems with the ranges of all W workers for P key groups (none when they are contiguous,
 * disjoint, cover 0..P-1, give each worker ≥ 1 key group and agree with workerOfKeyGroup). Plain
 * comparisons, not expect(): this runs for thousands of (W, P).
 */
function rangeProblems(workers: number, partitions: number): string[] {
  const problems: string[] = [];
  let next = 0;
  for (let w = 0; w < workers; w++) {
    const { start, end } = keyGroupRange(w, workers, partitions);
    if (start !== next)
      problems.push(`W=${workers} P=${partitions}: worker ${w} starts at ${start}, not ${next}`);
    if (end < start) problems.push(`W=${workers} P=${partitions}: worker ${w} has no key group`);
    for (const kg of new Set([start, end, (start + end) >> 1])) {
      const owner = workerOfKeyGroup(kg, workers, partitions);
      if (owner !== w)
        problems.push(`W=${workers} P=${partitions}: key group ${kg} is in ${w}'s range, owner ${owner}`);
    }
    next = end + 1;
  }
  if (next !== partitions) problems.push(`W=${workers} P=${partitions}: ranges end at ${next - 1}`);
  return problems;
}

describe('keyGroupRange and workerOfKeyGroup', () => {
  it('give contiguous, disjoint, covering ranges of ≥ 1 key group for every W ≤ P ≤ 130', () => {
    const problems: string[] = [];
    for (let partitions = 1; partitions <= 130; partitions++) {
      for (let workers = 1; workers <= partitions; workers++)
        problems.push(...rangeProblems(workers, partitions));
    }
    expect(problems).toEqual([]);
  });

  it('give contiguous, disjoint, covering ranges for random large W ≤ P', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: MAX_PARTITIONS })
          .chain((partitions) =>
            fc.tuple(fc.integer({ min: 1, max: Math.min(partitions, 64) }), fc.constant(partitions)),
          ),
        ([workers, partitions]) => {
          expect(rangeProblems(workers, partitions)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
    expect(rangeProblems(4096, MAX_PARTITIONS)).toEqual([]);
    expect(rangeProblems(1024, 1024)).toEqual([]);
  });

  it('agree on the owner of every key group', () => {
    for (const [workers, partitions] of [
      [1, 1],
      [1, 7],
      [3, 7],
      [7, 7],
      [2, 128],
      [5, 128],
      [16, 128],
      [128, 128],
      [13, 1024],
    ] as const) {
      for (let kg = 0; kg < partitions; kg++) {
        const w = workerOfKeyGroup(kg, workers, partitions);
        expect(w >= 0 && w < workers).toBe(true);
        const { start, end } = keyGroupRange(w, workers, partitions);
        expect(kg >= start && kg <= end).toBe(true);
      }
    }
  });

  it("split P evenly: range sizes differ by at most one (Flink's ranges)", () => {
    for (const [workers, partitions] of [
      [3, 7],
      [4, 128],
      [7, 128],
      [100, 1024],
    ] as const) {
      const sizes = Array.from({ length: workers }, (_, w) => {
        const { start, end } = keyGroupRange(w, workers, partitions);
        return end - start + 1;
      });
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(keyGroupRange(0, 3, 7)).toEqual({ start: 0, end: 2 });
    expect(keyGroupRange(1, 3, 7)).toEqual({ start: 3, end: 4 });
    expect(keyGroupRange(2, 3, 7)).toEqual({ start: 5, end: 6 });
  });
});
