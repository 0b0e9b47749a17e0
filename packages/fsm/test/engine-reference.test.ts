import { callbackSink, type EventBatch, InvalidJobOptionsError, runJob } from '@statecraft/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledMachine,
  compileMachine,
  FLINK_MACHINE,
  generateChunks,
  type MachineDefinition,
  SEED_MACHINE,
  stateMachineOperator,
} from '../src/index.js';
import {
  type EngineRun,
  expectSameAlerts,
  expectSameLines,
  PARTITION_COUNTS,
  ReferenceMachine,
  referenceText,
  runEngine,
  toBatches,
  WORKER_COUNTS,
} from './helpers.js';

const seed = compileMachine(SEED_MACHINE);
const flink = compileMachine(FLINK_MACHINE);

// Event codes a=0 … g=6.
const [a, b, c, d, e, f, g] = [0, 1, 2, 3, 4, 5, 6];
/** Complete walks from Initial to Terminal in the seed machine (the last two are invalid in flink's). */
const WALKS = [
  [a, b, e, g],
  [c, d, g],
  [c, b, e, g],
  [a, b, e, f, f, g],
  [c, d, f, g],
];

interface Stream {
  addresses: number[];
  types: number[];
  sizes: number[];
  padding: number;
}

/**
 * Random event streams over a small pool of addresses, so that addresses repeat: segments are either
 * complete walks to Terminal (which then revisit the address from Initial) or random events (which
 * raise alerts and move machines halfway), interleaved at random but each in its own order, then cut
 * into batches of random sizes (some empty, some with slack after `count`).
 */
const streamArbitrary: fc.Arbitrary<Stream> = fc
  .record({
    pool: fc.uniqueArray(
      fc.oneof(fc.constantFrom(0, 1, 0x0a000001, 0xffffffff), fc.nat({ max: 0xffffffff })),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    segments: fc.array(
      fc.record({
        at: fc.nat(),
        types: fc.oneof(
          fc.constantFrom(...WALKS),
          fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
        ),
      }),
      { maxLength: 40 },
    ),
    order: fc.array(fc.nat(), { maxLength: 200 }),
    sizes: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })), { maxLength: 8 }),
    padding: fc.nat({ max: 3 }),
  })
  .map(({ pool, segments, order, sizes, padding }) => {
    const queues = segments.map((s) => ({ address: pool[s.at % pool.length]!, types: [...s.types] }));
    const addresses: number[] = [];
    const types: number[] = [];
    for (let k = 0; queues.length > 0; k++) {
      const q = (order[k] ?? 0) % queues.length;
      const queue = queues[q]!;
      addresses.push(queue.address);
      types.push(queue.types.shift()!);
      if (queue.types.length === 0) queues.splice(q, 1);
    }
    return { addresses, types, sizes, padding };
  });

const batchesOf = (stream: Stream): EventBatch[] =>
  toBatches(stream.addresses, stream.types, stream.sizes, stream.padding);

/** For threaded jobs: one long random stream made of many short ones, one after the other. */
const threadedRandomStreams: fc.Arbitrary<EventBatch[]> = fc
  .array(streamArbitrary, { minLength: 30, maxLength: 30 })
  .map((streams) => streams.flatMap(batchesOf));

/** Runs the engine and the reference on the same stream and checks they agree exactly. */
async function expectEngineMatchesReference(
  machine: CompiledMachine,
  definition: MachineDefinition,
  batches: readonly EventBatch[],
  workers: number,
  partitions: number,
): Promise<EngineRun> {
  const reference = new ReferenceMachine(definition).applyBatches(batches);
  const run = await runEngine(machine, batches, workers, partitions);
  expectSameAlerts(run.alerts, reference.alerts);
  const events = batches.reduce((n, batch) => n + batch.count, 0);
  expect(run.summary).toMatchObject({
    events,
    outputs: reference.alerts.length,
    chunks: batches.length,
    liveKeys: reference.states.size,
    workers,
    partitions,
    interrupted: false,
  });
  // The sink sees chunks in source order, once each, only those with alerts.
  expect(run.chunksWritten).toEqual([...new Set(reference.alerts.map((alert) => alert.chunk))]);
  return run;
}

/**
 * The larger deterministic case: the generator's events with error rate 0.01. Its alert text, as the
 * package's formatter writes it, must be the same for every W and P and equal the reference's.
 */
const GENERATED_EVENTS = 300_000;
const GENERATED_ERROR_RATE = 0.01;

interface Generated {
  chunks: EventBatch[];
  text: string;
  alerts: number;
}

function generated(
  machine: CompiledMachine,
  options: { seed: number; splits: number; chunkSize: number },
): Generated {
  const chunks = [
    ...generateChunks({ machine, events: GENERATED_EVENTS, errorRate: GENERATED_ERROR_RATE, ...options }),
  ];
  const reference = new ReferenceMachine(machine.definition).applyBatches(chunks);
  return { chunks, text: referenceText(reference.alerts), alerts: reference.alerts.length };
}

/** The engine's text for chunks [0, chunks) of a run. */
const textBefore = (run: EngineRun, chunks: number): string =>
  run.text
    .filter((t) => t.chunk < chunks)
    .map((t) => t.text)
    .join('');

/**
 * Runs the generated events followed by random streams in one job (one pool start per job: worker
 * threads that load the operator from TypeScript cost ~0.6 s of CPU each), checking the whole run
 * against the reference and the generated part's text against the generator-only reference (the
 * random part comes after it, so it cannot change those alerts).
 */
async function expectGeneratedThenRandom(
  machine: CompiledMachine,
  gen: Generated,
  random: readonly EventBatch[],
  workers: number,
  partitions: number,
): Promise<void> {
  const run = await expectEngineMatchesReference(
    machine,
    machine.definition,
    [...gen.chunks, ...random],
    workers,
    partitions,
  );
  expectSameLines(
    textBefore(run, gen.chunks.length),
    gen.text,
    `workers=${workers} partitions=${partitions}`,
  );
}

describe('the stream arbitrary', () => {
  it('revisits addresses after Terminal and after alerts, and raises alerts (so the property means something)', () => {
    const samples = fc.sample(streamArbitrary, { seed: 20240601, numRuns: 200 });
    let afterTerminal = 0;
    let afterAlert = 0;
    let withAlerts = 0;
    let multiBatch = 0;
    for (const stream of samples) {
      const reference = new ReferenceMachine(SEED_MACHINE);
      const ended = new Set<number>();
      const alerted = new Set<number>();
      let revisitTerminal = false;
      let validAfterAlert = false;
      stream.addresses.forEach((address, i) => {
        const before = reference.states.has(address);
        if (ended.has(address)) revisitTerminal = true;
        const valid = reference.apply(address, stream.types[i]!);
        if (valid && alerted.has(address)) validAfterAlert = true;
        if (!valid) alerted.add(address);
        if (valid && before && !reference.states.has(address)) ended.add(address);
      });
      if (revisitTerminal) afterTerminal++;
      if (validAfterAlert) afterAlert++;
      if (reference.alerts.length > 0) withAlerts++;
      if (batchesOf(stream).length > 1) multiBatch++;
    }
    expect(afterTerminal).toBeGreaterThan(60);
    expect(afterAlert).toBeGreaterThan(60);
    expect(withAlerts).toBeGreaterThan(120);
    expect(multiBatch).toBeGreaterThan(60);
  });
});

describe('the engine agrees with the single-threaded reference, in order', () => {
  // Small chunks and several splits, so that jobs have many chunks and all splits take part.
  const seedGenerated = generated(seed, { seed: 2024, splits: 8, chunkSize: 12_000 });
  const flinkGenerated = generated(flink, { seed: 7, splits: 3, chunkSize: 50_000 });

  it('the generated case is not vacuous: about errorRate of its events are alerts', () => {
    // ~3000 expected; the binomial standard deviation is ~55.
    for (const gen of [seedGenerated, flinkGenerated]) {
      expect(gen.alerts).toBeGreaterThan(GENERATED_EVENTS * GENERATED_ERROR_RATE - 400);
      expect(gen.alerts).toBeLessThan(GENERATED_EVENTS * GENERATED_ERROR_RATE + 400);
    }
    expect(seedGenerated.chunks).toHaveLength(Math.ceil(GENERATED_EVENTS / 12_000));
  });

  for (const workers of WORKER_COUNTS) {
    for (const partitions of PARTITION_COUNTS) {
      const label = `workers=${workers}, partitions=${partitions}`;
      if (workers > partitions) {
        it(`rejects ${label} (more workers than partitions) with InvalidJobOptionsError`, async () => {
          const job = runJob({
            source: [],
            operator: stateMachineOperator(seed),
            sink: callbackSink(() => undefined),
            workers,
            partitions,
          });
          await expect(job).rejects.toBeInstanceOf(InvalidJobOptionsError);
          await expect(job).rejects.toMatchObject({ code: 'INVALID_JOB_OPTIONS' });
        });
        continue;
      }
      if (workers === 0) {
        it(`seed machine, ${label}: random streams`, async () => {
          await fc.assert(
            fc.asyncProperty(streamArbitrary, async (stream) => {
              await expectEngineMatchesReference(seed, SEED_MACHINE, batchesOf(stream), workers, partitions);
            }),
            { numRuns: 60 },
          );
        }, 60_000);
        it(`seed machine, ${label}: the generator's events`, async () => {
          const run = await expectEngineMatchesReference(
            seed,
            SEED_MACHINE,
            seedGenerated.chunks,
            workers,
            partitions,
          );
          expectSameLines(textBefore(run, seedGenerated.chunks.length), seedGenerated.text, label);
        }, 60_000);
        continue;
      }
      it(`seed machine, ${label}: the generator's events, then random streams`, async () => {
        await fc.assert(
          fc.asyncProperty(threadedRandomStreams, (random) =>
            expectGeneratedThenRandom(seed, seedGenerated, random, workers, partitions),
          ),
          { numRuns: 1, endOnFailure: true },
        );
      }, 60_000);
    }
  }

  it('flink machine, workers=0, partitions=7: random streams and the generator’s events', async () => {
    await fc.assert(
      fc.asyncProperty(streamArbitrary, async (stream) => {
        await expectEngineMatchesReference(flink, FLINK_MACHINE, batchesOf(stream), 0, 7);
      }),
      { numRuns: 60 },
    );
    const run = await expectEngineMatchesReference(flink, FLINK_MACHINE, flinkGenerated.chunks, 0, 1024);
    expectSameLines(textBefore(run, flinkGenerated.chunks.length), flinkGenerated.text, 'flink inline');
    // The machine given to the operator matters: seed's Z -f-> Z makes some of flink's alerts valid.
    const seedOnFlinkEvents = await runEngine(seed, flinkGenerated.chunks, 0, 7);
    expect(seedOnFlinkEvents.alerts.length).toBeLessThan(flinkGenerated.alerts);
  }, 60_000);

  it('flink machine, workers=2, partitions=7: the generator’s events, then random streams', async () => {
    await fc.assert(
      fc.asyncProperty(threadedRandomStreams, (random) =>
        expectGeneratedThenRandom(flink, flinkGenerated, random, 2, 7),
      ),
      { numRuns: 1, endOnFailure: true },
    );
  }, 60_000);

  it('a custom machine with 255 states (codes up to 254) and transitions back to the initial state', async () => {
    // S0 -a-> S1 -a-> … -a-> S254 (terminal); from S1 on, b goes back to S0; c is never valid.
    const states: Record<string, Record<string, string>> = { S0: { a: 'S1' } };
    for (let i = 1; i < 254; i++) states[`S${i}`] = { a: `S${i + 1}`, b: 'S0' };
    states.S254 = {};
    const definition: MachineDefinition = { name: 'chain', initial: 'S0', events: ['a', 'b', 'c'], states };
    const machine = compileMachine(definition);
    const event = fc.integer({ min: 0, max: 999 }).map((r) => (r < 988 ? 0 : r < 990 ? 1 : 2));
    const stream = fc.record({
      addresses: fc.array(fc.constantFrom(7, 0xffffffff), { minLength: 3_000, maxLength: 3_000 }),
      types: fc.array(event, { minLength: 3_000, maxLength: 3_000 }),
      sizes: fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 6 }),
    });
    const ended = (addresses: number[], types: number[]) => {
      const reference = new ReferenceMachine(definition);
      return addresses.some((address, i) => {
        const before = reference.states.get(address);
        return reference.apply(address, types[i]!) && before === 'S253';
      });
    };
    await fc.assert(
      fc.asyncProperty(stream, async ({ addresses, types, sizes }) => {
        const batches = toBatches(addresses, types, sizes);
        await expectEngineMatchesReference(machine, definition, batches, 0, 1);
        await expectEngineMatchesReference(machine, definition, batches, 0, 128);
      }),
      { numRuns: 20 },
    );
    const samples = fc.sample(stream, { seed: 7, numRuns: 10 });
    // Most streams take some address all the way to the terminal S254 (state code 254).
    expect(samples.filter((sample) => ended(sample.addresses, sample.types)).length).toBeGreaterThan(5);
    const threaded = samples.flatMap(({ addresses, types, sizes }) => toBatches(addresses, types, sizes));
    await expectEngineMatchesReference(machine, definition, threaded, 2, 16);
  }, 60_000);
});
