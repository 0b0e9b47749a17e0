import {
  callbackSink,
  chunksOfProducer,
  type EventBatch,
  InvalidJobOptionsError,
  producerOfChunk,
  runJob,
} from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import { createChunkProducer } from '../src/generator/generator-producer.js';
import {
  alertEvent,
  alertState,
  compileMachine,
  createAlertFormatter,
  FLINK_MACHINE,
  type GeneratorOptions,
  generateChunks,
  generatorSource,
  planGenerator,
  SEED_MACHINE,
  stateMachineOperator,
} from '../src/index.js';
import {
  type AlertRecord,
  expectSameAlerts,
  expectSameLines,
  ReferenceMachine,
  referenceText,
} from './helpers.js';

const seed = compileMachine(SEED_MACHINE);

/** 40 chunks of 1000 events over 7 splits (so chunk → split → producer never lines up with S or W). */
const OPTIONS: GeneratorOptions = {
  machine: seed,
  events: 39_500,
  seed: 20240611,
  errorRate: 0.02,
  splits: 7,
  chunkSize: 1_000,
};

const referenceChunks = [...generateChunks(OPTIONS)];
const reference = new ReferenceMachine(SEED_MACHINE).applyBatches(referenceChunks);
const referenceAlertText = referenceText(reference.alerts);

const sameBatch = (batch: EventBatch) => ({
  count: batch.count,
  addresses: Array.from(batch.addresses.subarray(0, batch.count)),
  types: Array.from(batch.types.subarray(0, batch.count)),
});

describe('the generator as a parallel source: its chunks', () => {
  it('describes the plan: chunk count, split count, and a config that survives structured cloning', () => {
    const source = generatorSource(OPTIONS);
    const plan = planGenerator(OPTIONS);
    expect(source.kind).toBe('parallel');
    expect(source.chunks).toBe(40);
    expect(source.chunks).toBe(plan.chunks);
    expect(source.splits).toBe(7);
    expect(structuredClone(source.config)).toEqual(source.config);
    // The last chunk is short: 39 500 = 39 × 1000 + 500.
    expect(referenceChunks.map((c) => c.count)).toEqual([...Array(39).fill(1000), 500]);
  });

  it.each([1, 2, 3, 8])(
    'S = %i producers, each making its splits’ chunks in order, give exactly generateChunks',
    async (producers) => {
      for (const options of [OPTIONS, { ...OPTIONS, machine: compileMachine(FLINK_MACHINE), seed: 7 }]) {
        const source = generatorSource(options);
        const expected = [...generateChunks(options)];
        const made: (EventBatch | undefined)[] = new Array(source.chunks);
        for (let p = 0; p < producers; p++) {
          // Each producer is built from a clone of the config, as a worker thread receives it.
          const producer = await createChunkProducer(structuredClone(source.config) as never);
          for (const chunk of chunksOfProducer(p, producers, source.splits, source.chunks)) {
            expect(producerOfChunk(chunk, source.splits, producers)).toBe(p);
            expect(made[chunk]).toBeUndefined();
            // A producer may reuse its batch on the next call, so keep a copy.
            const batch = producer.produce(chunk);
            made[chunk] = {
              count: batch.count,
              addresses: batch.addresses.slice(0, batch.count),
              types: batch.types.slice(0, batch.count),
            };
          }
        }
        expect(made.map((batch) => sameBatch(batch!))).toEqual(expected.map(sameBatch));
      }
    },
  );
});

interface Run {
  alerts: AlertRecord[];
  text: string;
  writes: number[];
  summary: Awaited<ReturnType<typeof runJob>>;
}

async function runGenerator(workers: number, partitions: number, sourceParallelism: number): Promise<Run> {
  const alerts: AlertRecord[] = [];
  const writes: number[] = [];
  const formatter = createAlertFormatter(seed, 'text');
  let text = '';
  const summary = await runJob({
    source: generatorSource(OPTIONS),
    operator: stateMachineOperator(seed),
    workers,
    partitions,
    sourceParallelism,
    sink: callbackSink((columns, chunk) => {
      writes.push(chunk);
      text += formatter.format(columns);
      for (let i = 0; i < columns.count; i++) {
        const code = columns.codes[i]!;
        alerts.push({
          chunk,
          position: columns.positions[i]!,
          address: columns.keys[i]!,
          state: seed.stateNames[alertState(code)] ?? `?${alertState(code)}`,
          event: seed.eventNames[alertEvent(code)] ?? `?${alertEvent(code)}`,
        });
      }
    }),
  });
  return { alerts, text, writes, summary };
}

describe('the generator as a parallel source: every S, W and P gives the Map reference’s alerts', () => {
  it('the reference has alerts in most chunks and machines still live at the end', () => {
    expect(reference.alerts.length).toBeGreaterThan(300);
    expect(new Set(reference.alerts.map((a) => a.chunk)).size).toBeGreaterThan(30);
    expect(reference.states.size).toBeGreaterThan(100);
  });

  const grid: [number, number, number][] = [];
  for (const s of [1, 2, 3]) for (const w of [0, 1, 2, 4]) for (const p of [1, 128]) grid.push([s, w, p]);

  it.each(grid)('S = %i, W = %i, P = %i', { timeout: 60_000 }, async (s, workers, partitions) => {
    if (workers > partitions) {
      // Every worker owns at least one key group: W > P is refused before anything starts.
      await expect(runGenerator(workers, partitions, s)).rejects.toBeInstanceOf(InvalidJobOptionsError);
      return;
    }
    const run = await runGenerator(workers, partitions, s);
    expectSameAlerts(run.alerts, reference.alerts);
    expectSameLines(run.text, referenceAlertText, `S=${s} W=${workers} P=${partitions}`);
    expect(run.writes).toEqual([...new Set(reference.alerts.map((a) => a.chunk))]);
    expect(run.summary).toMatchObject({
      events: OPTIONS.events,
      outputs: reference.alerts.length,
      chunks: referenceChunks.length,
      liveKeys: reference.states.size,
      workers,
      partitions,
      sourceParallelism: workers === 0 ? 0 : s,
      rejects: {},
      interrupted: false,
    });
  });
});
