import { describe, expect, it } from 'vitest';
import { type EventRecord, fromEvents } from '../src/api/event-source.js';
import type { ChunkSource, OpenedSource } from '../src/api/source.js';
import type { EventBatch } from '../src/batch.js';
import { BadRecordError } from '../src/errors.js';
import { isParallelSource } from '../src/sources/parallel-source.js';

const NAMES = ['login', 'mfa-ok', 'logout'];

async function open(
  events: Iterable<EventRecord> | AsyncIterable<EventRecord>,
  options: Parameters<typeof fromEvents>[1] = {},
  signal = new AbortController().signal,
): Promise<OpenedSource> {
  return fromEvents(events, options).open({ eventNames: NAMES, signal });
}

async function collect(chunks: ChunkSource): Promise<{ address: number; type: number }[][]> {
  if (isParallelSource(chunks)) throw new Error('fromEvents made a parallel source');
  const out: { address: number; type: number }[][] = [];
  for await (const batch of chunks as AsyncIterable<EventBatch>) {
    out.push(
      Array.from({ length: batch.count }, (_, i) => ({
        address: batch.addresses[i]!,
        type: batch.types[i]!,
      })),
    );
  }
  return out;
}

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

describe('fromEvents', () => {
  const records: EventRecord[] = [
    { address: '10.0.0.1', type: 'login' },
    { address: 167772162, type: 'mfa-ok' },
    { address: '167772163', type: 2 },
    { address: '0.0.0.0', type: 'logout' },
    { address: 4294967295, type: 0 },
  ];
  const expected = [
    { address: 167772161, type: 0 },
    { address: 167772162, type: 1 },
    { address: 167772163, type: 2 },
    { address: 0, type: 2 },
    { address: 4294967295, type: 0 },
  ];

  it('packs an array into chunks of batchSize, converting dotted and integer addresses, names and codes', async () => {
    const opened = await open(records, { batchSize: 2 });
    expect(await collect(opened.chunks)).toEqual([
      expected.slice(0, 2),
      expected.slice(2, 4),
      expected.slice(4),
    ]);
    expect(opened.rejects?.()).toEqual({});
  });

  it('packs an async generator the same way', async () => {
    const opened = await open(slowly(records), { batchSize: 2, maxDelayMs: 60_000 });
    expect(await collect(opened.chunks)).toEqual([
      expected.slice(0, 2),
      expected.slice(2, 4),
      expected.slice(4),
    ]);
  });

  it('takes any code 0..255 when the job has no event names', async () => {
    const opened = await fromEvents([{ address: 1, type: 255 }]).open({
      eventNames: undefined,
      signal: new AbortController().signal,
    });
    expect(await collect(opened.chunks)).toEqual([[{ address: 1, type: 255 }]]);
  });

  it.each([
    [{ address: '10.0.0.1', type: 'signup' }, 'events:2: unknown event type: "signup"'],
    [{ address: '10.0.0.1', type: 3 }, 'events:2: unknown event type: 3'],
    [{ address: '10.0.0.1', type: 1.5 }, 'events:2: unknown event type: 1.5'],
    [
      { address: '10.0.1', type: 'login' },
      'events:2: address is not a dotted IPv4 address or a non-negative integer: "10.0.1"',
    ],
    [
      { address: -1, type: 'login' },
      'events:2: address out of range (IPv4 octets are 0..255, integers 0..4294967295): -1',
    ],
    [null, 'events:2: not a JSON object: null'],
  ])('throws a BadRecordError naming the record for %j', async (bad, message) => {
    const opened = await open([records[0]!, bad as EventRecord, records[1]!]);
    const error = await collect(opened.chunks).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).code).toBe('BAD_RECORD');
    expect((error as Error).message).toBe(message);
  });

  it('with invalid: skip, counts bad records by reason and keeps the rest', async () => {
    const bad = [
      { address: '10.0.0.1', type: 'signup' },
      { address: '300.0.0.1', type: 'login' },
      { address: 'x', type: 'login' },
      { address: 5, type: 99 },
    ] as EventRecord[];
    const opened = await open([...bad, ...records], { invalid: 'skip', name: 'kafka' });
    expect(await collect(opened.chunks)).toEqual([expected]);
    expect(opened.rejects?.()).toEqual({ 'unknown-event': 2, 'address-out-of-range': 1, 'bad-address': 1 });
  });

  it('sends a started chunk after maxDelayMs while a live source has nothing more to give', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* live(): AsyncGenerator<EventRecord> {
      yield records[0]!;
      yield records[1]!;
      await blocked;
      yield records[2]!;
    }
    const opened = await open(live(), { batchSize: 1000, maxDelayMs: 5 });
    const chunks = (opened.chunks as AsyncIterable<EventBatch>)[Symbol.asyncIterator]();
    // Without the delay this would wait for 1000 events (the test's timeout).
    const first = await chunks.next();
    expect(first.done).toBe(false);
    expect(first.value?.count).toBe(2);
    release();
    const second = await chunks.next();
    expect(second.value?.count).toBe(1);
    expect((await chunks.next()).done).toBe(true);
  });

  it('ends when the job is stopped, even while the iterable waits forever, and lets it clean up', async () => {
    const controller = new AbortController();
    let returned = false;
    let pulls = 0;
    const never: AsyncIterable<EventRecord> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          pulls++;
          return pulls === 1
            ? Promise.resolve({ done: false, value: records[0]! })
            : new Promise(() => undefined);
        },
        return: () => {
          returned = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
    const opened = await open(never, { batchSize: 1000, maxDelayMs: 60_000 }, controller.signal);
    const chunks = (opened.chunks as AsyncIterable<EventBatch>)[Symbol.asyncIterator]();
    const pending = chunks.next();
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const first = await pending;
    expect(first.value?.count).toBe(1); // what was read before the stop is still delivered
    expect((await chunks.next()).done).toBe(true);
    expect(returned).toBe(true);
  });

  it('refuses a batch size below 1', async () => {
    await expect(open(records, { batchSize: 0 })).rejects.toThrow('batchSize must be an integer ≥ 1, got 0');
  });
});
