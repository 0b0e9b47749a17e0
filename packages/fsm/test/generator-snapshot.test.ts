import type { EventBatch, SplitState } from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import { createChunkProducer } from '../src/generator/generator-producer.js';
import {
  compileMachine,
  FLINK_MACHINE,
  GeneratorChunks,
  type GeneratorOptions,
  generateChunks,
  generatorSource,
  SEED_MACHINE,
  SplitGenerator,
  type SplitGeneratorOptions,
} from '../src/index.js';

const seed = compileMachine(SEED_MACHINE);
const flink = compileMachine(FLINK_MACHINE);

/** A wide range (no address repeats among live machines) and a tiny one (the generator must skip live ones). */
const SPLITS: [string, SplitGeneratorOptions][] = [
  ['wide range', { seed: 42, minAddress: 0, maxAddress: 0x7fffffff, errorRate: 0.02 }],
  ['1500 addresses', { seed: 7, minAddress: 1000, maxAddress: 2500, errorRate: 0.05 }],
  ['no errors', { seed: 3, minAddress: 5, maxAddress: 0xfffffffe, errorRate: 0 }],
];

/** The next `count` events as one string of "address:type" pairs (cheap to compare, readable when not equal). */
function fill(generator: SplitGenerator, count: number): string {
  const addresses = new Uint32Array(count);
  const types = new Uint8Array(count);
  generator.fill(addresses, types, 0, count);
  let text = '';
  for (let i = 0; i < count; i++) text += `${addresses[i]}:${types[i]} `;
  return text;
}

const copyOf = (batch: EventBatch) => ({
  count: batch.count,
  addresses: Array.from(batch.addresses.subarray(0, batch.count)),
  types: Array.from(batch.types.subarray(0, batch.count)),
});

describe('SplitGenerator snapshot and restore', () => {
  it.each(SPLITS)(
    '%s: a restored split continues with exactly the events the original makes',
    (_name, options) => {
      for (const machine of [seed, flink]) {
        // Past 2^16 appends the live-machine order array is compacted: snapshot on both sides of that.
        for (const before of [0, 1, 999, 5_000, 70_000]) {
          const original = new SplitGenerator(machine, options);
          fill(original, before);
          const bytes = original.snapshot();
          const restored = new SplitGenerator(machine, options);
          restored.restore(bytes);
          expect(restored.liveMachines).toBe(original.liveMachines);
          const next = 20_000;
          expect(fill(restored, next), `after ${before} events`).toEqual(fill(original, next));
          // And the two stay in step: a second snapshot is byte-identical.
          expect(restored.snapshot()).toEqual(original.snapshot());
        }
      }
    },
  );

  it('restoring over a split that already made other events discards them entirely', () => {
    const [, options] = SPLITS[1]!;
    const original = new SplitGenerator(seed, options);
    fill(original, 3_000);
    const bytes = original.snapshot();
    const used = new SplitGenerator(seed, options);
    fill(used, 11_111); // a different position, other live machines
    used.restore(bytes);
    expect(fill(used, 30_000)).toEqual(fill(original, 30_000));
  });

  it('the snapshot holds the PRNG state and the live machines (20 + 5 bytes each)', () => {
    const generator = new SplitGenerator(seed, SPLITS[0]![1]);
    expect(generator.snapshot().byteLength).toBe(20);
    fill(generator, 10_000);
    expect(generator.liveMachines).toBeGreaterThan(100);
    expect(generator.snapshot().byteLength).toBe(20 + 5 * generator.liveMachines);
  });

  it('a malformed snapshot is refused', () => {
    const generator = new SplitGenerator(seed, SPLITS[0]![1]);
    fill(generator, 5_000);
    const bytes = generator.snapshot();
    const fresh = () => new SplitGenerator(seed, SPLITS[0]![1]);
    expect(() => fresh().restore(bytes.subarray(0, bytes.length - 1))).toThrow(/malformed/);
    expect(() => fresh().restore(bytes.subarray(0, 10))).toThrow(/malformed/);
    const tooMany = bytes.slice();
    new DataView(tooMany.buffer).setUint32(16, 5000, true);
    expect(() => fresh().restore(tooMany)).toThrow(/malformed/);
  });
});

const OPTIONS: GeneratorOptions = {
  machine: seed,
  events: 60_500,
  seed: 99,
  errorRate: 0.03,
  splits: 5,
  chunkSize: 1_000,
};

describe('GeneratorChunks restored from a snapshot', () => {
  const uninterrupted = [...generateChunks(OPTIONS)].map(copyOf);

  it.each([0, 1, 4, 5, 17, 60])(
    'snapshot before chunk %i: the restored stream equals the uninterrupted one',
    (at) => {
      const first = new GeneratorChunks(OPTIONS);
      for (let chunk = 0; chunk < at; chunk++) first.produce(chunk);
      const states: SplitState[] = first.snapshot();
      // Only the splits that made a chunk have a state; the others start from their seed.
      expect(states.map((s) => s.split).sort()).toEqual(
        [...new Set(Array.from({ length: at }, (_, k) => k % 5))].sort(),
      );
      const resumed = new GeneratorChunks(OPTIONS, structuredClone(states));
      const rest = Array.from({ length: uninterrupted.length - at }, (_, i) =>
        copyOf(resumed.produce(at + i)),
      );
      expect(rest).toEqual(uninterrupted.slice(at));
    },
  );

  it('splits restored on different producers (S changes) still make the same chunks', async () => {
    const at = 23;
    const first = new GeneratorChunks(OPTIONS);
    for (let chunk = 0; chunk < at; chunk++) first.produce(chunk);
    const states = first.snapshot();
    const config = generatorSource(OPTIONS).config;
    for (const producers of [1, 2, 3]) {
      const made: ReturnType<typeof copyOf>[] = [];
      for (let p = 0; p < producers; p++) {
        const own = states.filter(({ split }) => split % producers === p);
        const producer = await createChunkProducer(structuredClone(config) as never, structuredClone(own));
        for (let chunk = at; chunk < uninterrupted.length; chunk++) {
          if ((chunk % 5) % producers === p) made[chunk] = copyOf(producer.produce(chunk));
        }
      }
      expect(made.slice(at), `S = ${producers}`).toEqual(uninterrupted.slice(at));
    }
  });

  it('the producer snapshot is what GeneratorChunks snapshots', async () => {
    const producer = await createChunkProducer(structuredClone(generatorSource(OPTIONS).config) as never);
    const chunks = new GeneratorChunks(OPTIONS);
    for (let chunk = 0; chunk < 12; chunk++) {
      producer.produce(chunk);
      chunks.produce(chunk);
    }
    expect(producer.snapshot?.()).toEqual(chunks.snapshot());
  });

  it('a split outside the generator is refused', () => {
    const states = [{ split: 5, state: new SplitGenerator(seed, SPLITS[0]![1]).snapshot() }];
    expect(() => new GeneratorChunks(OPTIONS, states)).toThrow(
      'checkpoint has generator split 5, but the generator has 5',
    );
  });
});
