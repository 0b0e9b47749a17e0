import { callbackSink, type EventBatch, type JobOptions, runJob } from '@statecraft/engine';
import {
  releaseWarmWorkers,
  warmUpWorkers,
  warmWorkersSettled,
  whenWarmWorkersSettled,
} from '@statecraft/engine/warm-up';
// The jobs run the built package (@statecraft/fsm): worker threads then load plain JavaScript
// instead of compiling the operator's TypeScript each (run `npx tsc -b` first).
import {
  compileMachine,
  createAlertFormatter,
  type GeneratorOptions,
  generateChunks,
  generatorSource,
  type MachineDefinition,
  SEED_MACHINE,
  type StateTtl,
  stateMachineOperator,
  TTL_SWEEP_EVERY_CHUNKS,
} from '@statecraft/fsm';
import { describe, expect, it } from 'vitest';
import { parseStateTtl } from '../src/index.js';
import { dotted, expectSameLines } from './helpers.js';

const seed = compileMachine(SEED_MACHINE);

describe('parseStateTtl', () => {
  it.each([
    ['1', { unit: 'events', amount: 1 }],
    ['500000', { unit: 'events', amount: 500_000 }],
    ['250ms', { unit: 'ms', amount: 250 }],
    ['1.5s', { unit: 'ms', amount: 1500 }],
    ['30s', { unit: 'ms', amount: 30_000 }],
    ['5m', { unit: 'ms', amount: 300_000 }],
    ['1h', { unit: 'ms', amount: 3_600_000 }],
  ])('%s', (text, ttl) => {
    expect(parseStateTtl(text)).toEqual(ttl);
  });

  it.each(['', '0', '-5', '1e6', '10 s', '10sec', '0ms', '0.5ms', 'abc', '1.5', '99999999999999999999'])(
    'refuses %j with a message naming it',
    (text) => {
      expect(() => parseStateTtl(text)).toThrow(
        `"${text}" is neither a positive number of events nor a duration like 250ms, 30s, 5m or 1h`,
      );
    },
  );
});

/**
 * The TTL semantics written from the operator's documentation with a Map: an address whose state
 * was last written more than `ttl` events before the current event starts again from the initial
 * state (an alert reads but does not write); every TTL_SWEEP_EVERY_CHUNKS chunks, addresses idle
 * more than `ttl` at the chunk's first event are dropped. Each drop counts as one expiry.
 */
function ttlReference(definition: MachineDefinition, chunks: readonly EventBatch[], ttl: number) {
  const machine = compileMachine(definition);
  const state = new Map<number, { state: number; written: number }>();
  const formatter = createAlertFormatter(machine, 'text');
  let expired = 0;
  let text = '';
  let firstEvent = 0;
  chunks.forEach((batch, chunk) => {
    if (chunk % TTL_SWEEP_EVERY_CHUNKS === 0) {
      for (const [address, entry] of state) {
        if (firstEvent - entry.written > ttl) {
          state.delete(address);
          expired++;
        }
      }
    }
    for (let i = 0; i < batch.count; i++) {
      const address = batch.addresses[i]!;
      const event = machine.eventNames[batch.types[i]!]!;
      const now = firstEvent + i;
      let entry = state.get(address);
      if (entry !== undefined && now - entry.written > ttl) {
        state.delete(address);
        expired++;
        entry = undefined;
      }
      const current = entry === undefined ? definition.initial : machine.stateNames[entry.state]!;
      const transition = definition.states[current]?.[event];
      if (transition === undefined) {
        text += `ALERT ${dotted(address)} : ${current} -> ${event}\n`;
        continue;
      }
      const target = typeof transition === 'string' ? transition : transition.to;
      if (Object.keys(definition.states[target] ?? {}).length === 0) state.delete(address);
      else state.set(address, { state: machine.stateNames.indexOf(target), written: now });
    }
    firstEvent += batch.count;
  });
  expect(formatter.header()).toBe('');
  return { text, expired, live: state.size };
}

const OPTIONS: GeneratorOptions = {
  machine: seed,
  events: 120_000,
  seed: 31337,
  errorRate: 0.02,
  splits: 6,
  chunkSize: 1_000,
};
const CHUNKS = [...generateChunks(OPTIONS)];
const TTL: StateTtl = { unit: 'events', amount: 3_000 };

async function run(
  workers: number,
  partitions: number,
  sourceParallelism: number,
  ttl?: StateTtl,
  options: Partial<JobOptions> = {},
) {
  const formatter = createAlertFormatter(seed, 'text');
  let text = '';
  const summary = await runJob({
    source: generatorSource(OPTIONS),
    operator: stateMachineOperator(seed, { ttl }),
    workers,
    partitions,
    sourceParallelism,
    sink: callbackSink((columns) => {
      text += formatter.format(columns);
    }),
    ...options,
  });
  return { text, summary };
}

describe('state TTL counted in events of the stream', () => {
  const reference = ttlReference(SEED_MACHINE, CHUNKS, TTL.amount);
  const noTtl = ttlReference(SEED_MACHINE, CHUNKS, Number.POSITIVE_INFINITY);

  it('the stream is one where a small TTL matters: other alerts, fewer live addresses', () => {
    expect(noTtl.expired).toBe(0);
    expect(reference.expired).toBeGreaterThan(1000);
    expect(reference.text).not.toBe(noTtl.text);
    expect(reference.live).toBeLessThan(noTtl.live / 2);
    // Bounded whatever the stream's length: only addresses written in the last TTL (plus the
    // sweep's lag) can hold state.
    expect(reference.live).toBeLessThanOrEqual(TTL.amount + TTL_SWEEP_EVERY_CHUNKS * OPTIONS.chunkSize!);
  });

  const grid: [number, number, number][] = [
    [0, 1, 1],
    [0, 128, 1],
  ];
  // P = 1 where W allows it (two workers need two key groups at least).
  for (const w of [1, 2]) for (const p of [w, 128]) for (const s of [1, 2]) grid.push([w, p, s]);

  it.each(grid)(
    'W = %i, P = %i, S = %i: the reference alerts, expiries and live addresses',
    async (w, p, s) => {
      const { text, summary } = await run(w, p, s, TTL);
      expectSameLines(text, reference.text, `W=${w} P=${p} S=${s}`);
      expect(summary.expiredKeys).toBe(reference.expired);
      expect(summary.liveKeys).toBe(reference.live);
      expect(summary.events).toBe(OPTIONS.events);
    },
  );

  it('a head start handing its state over mid-stream (stamps, sweeps) changes nothing', async () => {
    // The threads run, with the operator and the generator loaded, before the job starts: the
    // hand-over lands exactly at chunk 37.
    warmUpWorkers(2, undefined, [
      stateMachineOperator(seed, { ttl: TTL }).module,
      generatorSource(OPTIONS).module,
    ]);
    try {
      await whenWarmWorkersSettled();
      expect(warmWorkersSettled(2)).toBe(true);
      const { text, summary } = await run(2, 128, 2, TTL, { headStart: true, headStartUntilChunk: 37 });
      expect(summary.headStartChunks).toBe(37);
      expectSameLines(text, reference.text, 'head start');
      expect(summary.expiredKeys).toBe(reference.expired);
      expect(summary.liveKeys).toBe(reference.live);
    } finally {
      await releaseWarmWorkers();
    }
  });

  it('without a TTL nothing expires and the alerts are the plain machine’s', async () => {
    const { text, summary } = await run(2, 128, 2);
    expectSameLines(text, noTtl.text, 'no TTL');
    expect(summary.expiredKeys).toBe(0);
    expect(summary.liveKeys).toBe(noTtl.live);
  });

  it('a TTL longer than the stream changes nothing', async () => {
    const { text, summary } = await run(1, 16, 1, { unit: 'events', amount: OPTIONS.events });
    expectSameLines(text, noTtl.text, 'long TTL');
    expect(summary.expiredKeys).toBe(0);
  });
});
