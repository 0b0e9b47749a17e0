import type { EventBatch } from '@statecraft/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledMachine,
  compileMachine,
  DEFAULT_ADDRESS_RANGE,
  DEFAULT_GENERATOR_CHUNK,
  DEFAULT_GENERATOR_SPLITS,
  FLINK_MACHINE,
  type GeneratorOptions,
  generateChunks,
  MAX_LIVE_MACHINES,
  type MachineDefinition,
  planGenerator,
  SEED_MACHINE,
  SplitGenerator,
  splitOptions,
} from '../src/index.js';
import { ReferenceMachine } from './helpers.js';

const seed = compileMachine(SEED_MACHINE);
const flink = compileMachine(FLINK_MACHINE);

const chunksOf = (options: Omit<GeneratorOptions, 'machine'>, machine = seed): EventBatch[] => [
  ...generateChunks({ machine, ...options }),
];

/** `count` events of one split, filled in pieces of the given sizes. */
function fillSplit(
  machine: CompiledMachine,
  options: ConstructorParameters<typeof SplitGenerator>[1],
  count: number,
  pieces: readonly number[] = [count],
): { addresses: Uint32Array; types: Uint8Array } {
  const generator = new SplitGenerator(machine, options);
  const addresses = new Uint32Array(count);
  const types = new Uint8Array(count);
  let done = 0;
  for (let k = 0; done < count; k++) {
    const n = Math.min(count - done, pieces.length === 0 ? count : pieces[k % pieces.length]!);
    generator.fill(addresses, types, done, n);
    done += n;
  }
  return { addresses, types };
}

/**
 * What the generator itself guarantees, modelled from DESIGN.md: per address it tracks the live
 * machine's state; an address it does not track starts a new machine with a valid transition from
 * the initial state; an invalid event is only ever emitted for a live machine, which is then
 * dropped (forgotten), so a later event may start a new machine at the same address.
 */
class GeneratorModel {
  readonly live = new Map<number, string>();
  invalid = 0;
  newMachines = 0;
  violations: string[] = [];

  constructor(readonly definition: MachineDefinition) {}

  apply(address: number, type: number): void {
    const { definition } = this;
    const tracked = this.live.get(address);
    const state = tracked ?? definition.initial;
    const eventName = definition.events[type];
    const spec = eventName === undefined ? undefined : definition.states[state]?.[eventName];
    if (tracked === undefined) this.newMachines++;
    if (spec === undefined) {
      if (tracked === undefined) this.violations.push(`new machine ${address} started with invalid ${type}`);
      this.invalid++;
      this.live.delete(address);
      return;
    }
    const target = typeof spec === 'string' ? spec : spec.to;
    if (Object.keys(definition.states[target] ?? {}).length === 0) this.live.delete(address);
    else this.live.set(address, target);
  }
}

describe('planGenerator', () => {
  it('fills in the defaults', () => {
    const plan = planGenerator({ machine: seed, events: 1_000_000 });
    expect(plan).toMatchObject({
      events: 1_000_000,
      seed: 1,
      errorRate: 0,
      splits: DEFAULT_GENERATOR_SPLITS,
      chunkSize: DEFAULT_GENERATOR_CHUNK,
      addressRange: DEFAULT_ADDRESS_RANGE,
      chunks: Math.ceil(1_000_000 / DEFAULT_GENERATOR_CHUNK),
    });
    expect(DEFAULT_ADDRESS_RANGE).toEqual([0, 0x7fffffff]);
  });

  it.each<[string, Partial<GeneratorOptions>]>([
    ['negative events', { events: -1 }],
    ['fractional events', { events: 1.5 }],
    ['NaN events', { events: Number.NaN }],
    ['unsafe events', { events: 2 ** 53 }],
    ['a negative error rate', { errorRate: -0.01 }],
    ['an error rate above 1', { errorRate: 1.01 }],
    ['a NaN error rate', { errorRate: Number.NaN }],
    ['zero splits', { splits: 0 }],
    ['fractional splits', { splits: 2.5 }],
    ['a zero chunk size', { chunkSize: 0 }],
    ['a fractional chunk size', { chunkSize: 10.5 }],
    ['an inverted address range', { addressRange: [10, 5] }],
    ['an address range starting below 0', { addressRange: [-1, 100] }],
    ['an address range past 2^32 - 1', { addressRange: [0, 2 ** 32] }],
    ['a fractional address range', { addressRange: [0.5, 100] }],
    ['fewer addresses than splits', { addressRange: [0, 3], splits: 4 }],
  ])(
    'rejects %s with a RangeError, eagerly in planGenerator and on first use in generateChunks',
    (_l, bad) => {
      const options: GeneratorOptions = { machine: seed, events: 100, ...bad };
      expect(() => planGenerator(options)).toThrow(RangeError);
      expect(() => [...generateChunks(options)]).toThrow(RangeError);
    },
  );

  it('accepts the limits: error rates 0 and 1, one address per split, ranges up to 2^32 - 1', () => {
    expect(() => planGenerator({ machine: seed, events: 0, errorRate: 1 })).not.toThrow();
    expect(() => planGenerator({ machine: seed, events: 1, addressRange: [0, 4], splits: 4 })).not.toThrow();
    expect(() => planGenerator({ machine: seed, events: 1, addressRange: [0, 0xffffffff] })).not.toThrow();
  });

  it('SplitGenerator rejects an empty address range', () => {
    const options = { seed: 1, minAddress: 5, maxAddress: 5, errorRate: 0 };
    expect(() => new SplitGenerator(seed, options)).toThrow(RangeError);
  });
});

describe('splitOptions', () => {
  it('cuts the address range into disjoint, contiguous, non-empty slices with distinct seeds', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        (min, width, splits, jobSeed) => {
          fc.pre(width >= splits);
          const plan = planGenerator({
            machine: seed,
            events: 1,
            seed: jobSeed,
            splits,
            addressRange: [min, min + width],
          });
          let next = min;
          const seeds = new Set<number>();
          for (let s = 0; s < splits; s++) {
            const o = splitOptions(plan, s);
            expect(o.minAddress).toBe(next);
            expect(o.maxAddress).toBeGreaterThan(o.minAddress);
            next = o.maxAddress;
            seeds.add(o.seed);
          }
          expect(next).toBe(min + width);
          expect(seeds.size).toBe(splits);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('generateChunks', () => {
  it('gives identical events for the same seed and options', () => {
    const options = { events: 50_000, seed: 42, errorRate: 0.01, splits: 3, chunkSize: 7_000 };
    expect(chunksOf(options)).toEqual(chunksOf(options));
  });

  it('gives different events for different seeds', () => {
    const base = { events: 10_000, splits: 2, chunkSize: 5_000 };
    const a = chunksOf({ ...base, seed: 1 });
    const b = chunksOf({ ...base, seed: 2 });
    a.forEach((chunk, k) => {
      let same = 0;
      for (let i = 0; i < chunk.count; i++) if (chunk.addresses[i] === b[k]!.addresses[i]) same++;
      // Fresh addresses are drawn from 2^30 per split: equal positions are essentially never equal.
      expect(same).toBeLessThan(chunk.count / 100);
    });
  });

  it('cuts the stream into chunkSize chunks, the last one holding the rest', () => {
    for (const [events, chunkSize] of [
      [10_001, 1_000],
      [10_000, 1_000],
      [999, 1_000],
      [1, 1],
      [7, 3],
    ] as const) {
      const chunks = chunksOf({ events, chunkSize, splits: 4 });
      expect(chunks).toHaveLength(Math.ceil(events / chunkSize));
      chunks.forEach((chunk, k) => {
        const expected = k < chunks.length - 1 ? chunkSize : events - chunkSize * (chunks.length - 1);
        expect(chunk.count).toBe(expected);
        expect(chunk.addresses).toHaveLength(chunk.count);
        expect(chunk.types).toHaveLength(chunk.count);
      });
      expect(chunks.reduce((n, chunk) => n + chunk.count, 0)).toBe(events);
    }
  });

  it('gives no chunks for zero events', () => {
    expect(chunksOf({ events: 0 })).toEqual([]);
  });

  it('keeps every chunk inside the address range of its split (chunk k from split k mod G)', () => {
    const options = { events: 60_000, splits: 5, chunkSize: 2_500, addressRange: [1_000, 51_000] as const };
    const plan = planGenerator({ machine: seed, ...options });
    const chunks = chunksOf(options);
    chunks.forEach((chunk, k) => {
      const { minAddress, maxAddress } = splitOptions(plan, k % plan.splits);
      let low = Number.POSITIVE_INFINITY;
      let high = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < chunk.count; i++) {
        low = Math.min(low, chunk.addresses[i]!);
        high = Math.max(high, chunk.addresses[i]!);
      }
      expect(low).toBeGreaterThanOrEqual(minAddress);
      expect(high).toBeLessThan(maxAddress);
    });
  });

  it('is the round robin of the splits’ own streams', () => {
    const options = { events: 23_456, splits: 3, chunkSize: 1_000, seed: 9, errorRate: 0.02 };
    const plan = planGenerator({ machine: seed, ...options });
    const chunks = chunksOf(options);
    for (let s = 0; s < plan.splits; s++) {
      const own = chunks.filter((_, k) => k % plan.splits === s);
      const total = own.reduce((n, chunk) => n + chunk.count, 0);
      const direct = fillSplit(seed, splitOptions(plan, s), total);
      let at = 0;
      for (const chunk of own) {
        expect(chunk.addresses).toEqual(direct.addresses.subarray(at, at + chunk.count));
        expect(chunk.types).toEqual(direct.types.subarray(at, at + chunk.count));
        at += chunk.count;
      }
    }
  });

  it('emits only event codes of the machine', () => {
    for (const [machine, errorRate] of [
      [seed, 0],
      [seed, 0.3],
      [flink, 1],
    ] as const) {
      for (const chunk of chunksOf({ events: 20_000, errorRate, splits: 2, chunkSize: 4_096 }, machine)) {
        expect(Math.max(...chunk.types)).toBeLessThan(machine.eventNames.length);
      }
    }
  });
});

describe('SplitGenerator', () => {
  const split = { seed: 7, minAddress: 0x0a000000, maxAddress: 0x0b000000, errorRate: 0.05 };

  it('produces the same stream however it is consumed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 12 }), (pieces) => {
        const whole = fillSplit(seed, split, 6_000);
        const cut = fillSplit(seed, split, 6_000, pieces);
        expect(cut.addresses).toEqual(whole.addresses);
        expect(cut.types).toEqual(whole.types);
      }),
      { numRuns: 15 },
    );
  });

  it('writes exactly [offset, offset + count) of the arrays', () => {
    const generator = new SplitGenerator(seed, split);
    const addresses = new Uint32Array(30).fill(0xabcdef);
    const types = new Uint8Array(30).fill(200);
    generator.fill(addresses, types, 10, 15);
    const whole = fillSplit(seed, split, 15);
    expect(addresses.subarray(10, 25)).toEqual(whole.addresses);
    expect(types.subarray(10, 25)).toEqual(whole.types);
    expect([...addresses.subarray(0, 10), ...addresses.subarray(25)].every((a) => a === 0xabcdef)).toBe(true);
    expect([...types.subarray(0, 10), ...types.subarray(25)].every((t) => t === 200)).toBe(true);
  });

  it('with error rate 0, never makes a transition DESIGN.md calls invalid', () => {
    // Addresses are only reused after their machine reached Terminal (which forgets them), so the
    // reference machine, which keeps state across alerts, sees no alert at all. A small range makes
    // reuse frequent.
    for (const machine of [seed, flink]) {
      for (const range of [1_500, 5_000, 1 << 26]) {
        const options = { seed: range, minAddress: 100, maxAddress: 100 + range, errorRate: 0 };
        const generator = new SplitGenerator(machine, options);
        const reference = new ReferenceMachine(machine.definition);
        const addresses = new Uint32Array(2_000);
        const types = new Uint8Array(2_000);
        const seen = new Set<number>();
        for (let round = 0; round < 15; round++) {
          generator.fill(addresses, types, 0, addresses.length);
          for (let i = 0; i < addresses.length; i++) {
            reference.apply(addresses[i]!, types[i]!);
            seen.add(addresses[i]!);
          }
          // Every live machine of the generator is an address in a non-initial state, and vice versa.
          expect(reference.states.size).toBe(generator.liveMachines);
        }
        expect(reference.alerts).toEqual([]);
        if (range === 1_500) expect(seen.size).toBeLessThanOrEqual(1_500);
      }
    }
  });

  it('with error rate 0, the whole multi-split stream has no invalid transition', () => {
    const reference = new ReferenceMachine(SEED_MACHINE);
    for (const chunk of chunksOf({ events: 100_000, splits: 4, chunkSize: 3_000, seed: 3 })) {
      for (let i = 0; i < chunk.count; i++) reference.apply(chunk.addresses[i]!, chunk.types[i]!);
    }
    expect(reference.alerts).toEqual([]);
  });

  it('only emits invalid events for live machines, and drops them (any error rate, reused addresses)', () => {
    for (const errorRate of [0.05, 0.5, 1]) {
      for (const machine of [seed, flink]) {
        const options = { seed: 11, minAddress: 0, maxAddress: 2_000, errorRate };
        const generator = new SplitGenerator(machine, options);
        const model = new GeneratorModel(machine.definition);
        const addresses = new Uint32Array(1_000);
        const types = new Uint8Array(1_000);
        for (let round = 0; round < 20; round++) {
          generator.fill(addresses, types, 0, addresses.length);
          for (let i = 0; i < addresses.length; i++) model.apply(addresses[i]!, types[i]!);
          expect(model.live.size).toBe(generator.liveMachines);
        }
        expect(model.violations).toEqual([]);
        expect(model.invalid).toBeGreaterThan(0);
      }
    }
  });

  it('makes about errorRate of all events invalid transitions', () => {
    // Per DESIGN.md one draw p decides both branches: a live machine is picked when p * 1000 < live,
    // and it gets an invalid event when also p < errorRate. Once live ≥ 1000 * errorRate (50 here,
    // reached within ~60 events of the start), p < errorRate implies the live branch, so every event
    // is independently invalid with probability errorRate exactly — not errorRate times the share of
    // events going to live machines (~0.76 in steady state). Every non-terminal seed state has invalid
    // events. Addresses come from 2^29 per split, so a dropped address is essentially never reused.
    const errorRate = 0.05;
    const events = 200_000;
    const reference = new ReferenceMachine(SEED_MACHINE);
    let existing = 0;
    for (const chunk of chunksOf({ events, errorRate, splits: 4, chunkSize: 10_000, seed: 5 })) {
      for (let i = 0; i < chunk.count; i++) {
        if (reference.states.has(chunk.addresses[i]!)) existing++;
        reference.apply(chunk.addresses[i]!, chunk.types[i]!);
      }
    }
    const rate = reference.alerts.length / events;
    // Binomial standard deviation sqrt(r (1 - r) / n) ≈ 0.00049; allow 6 of them.
    const sd = Math.sqrt((errorRate * (1 - errorRate)) / events);
    expect(Math.abs(rate - errorRate)).toBeLessThan(6 * sd);
    // The share of events for existing machines is well below 1, so the two readings differ measurably.
    const share = existing / events;
    expect(share).toBeGreaterThan(0.6);
    expect(share).toBeLessThan(0.9);
    expect(Math.abs(rate - errorRate * share)).toBeGreaterThan(6 * sd);
  });

  it('never keeps more than 1000 live machines, and reaches 1000 when machines never end', () => {
    const forever = compileMachine({
      name: 'forever',
      initial: 'I',
      events: ['a', 'b'],
      states: { I: { a: 'A' }, A: { a: 'A' } },
    });
    expect(MAX_LIVE_MACHINES).toBe(1000);
    for (const machine of [seed, forever]) {
      const generator = new SplitGenerator(machine, {
        seed: 1,
        minAddress: 0,
        maxAddress: 1 << 30,
        errorRate: 0,
      });
      const addresses = new Uint32Array(1);
      const types = new Uint8Array(1);
      let max = 0;
      for (let i = 0; i < 30_000; i++) {
        generator.fill(addresses, types, 0, 1);
        max = Math.max(max, generator.liveMachines);
      }
      if (machine === forever) expect(max).toBe(MAX_LIVE_MACHINES);
      else {
        expect(max).toBeLessThanOrEqual(MAX_LIVE_MACHINES);
        // The seed machine's equilibrium is about 760 live machines.
        expect(max).toBeGreaterThan(600);
      }
    }
  });

  it('works with a single address, and at the top of the address space', () => {
    const one = fillSplit(seed, { seed: 1, minAddress: 42, maxAddress: 43, errorRate: 0 }, 500);
    expect(one.addresses.every((a) => a === 42)).toBe(true);
    const reference = new ReferenceMachine(SEED_MACHINE);
    for (let i = 0; i < 500; i++) reference.apply(one.addresses[i]!, one.types[i]!);
    expect(reference.alerts).toEqual([]);

    const top = fillSplit(
      seed,
      { seed: 1, minAddress: 0xffffffff - 50, maxAddress: 0xffffffff, errorRate: 0 },
      5_000,
    );
    expect(Math.min(...top.addresses)).toBeGreaterThanOrEqual(0xffffffff - 50);
    expect(Math.max(...top.addresses)).toBeLessThan(0xffffffff);
  });
});
