import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEventBatch,
  type EventBatch,
  EventLookup,
  encodeFlinkBinaryEvents,
  type FileSourceConfig,
  FlinkBinaryParser,
  fileSource,
  RecordStreamSource,
  type RejectedRecord,
  RejectLedger,
  recordFormat,
} from '../src/index.js';
import { createChunkProducer } from '../src/sources/file-producer.js';
import { useTempDir } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

const dir = useTempDir('binary');
let files = 0;

/** One 8-byte record written independently of the encoder under test. */
function record(address: number, type: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32LE(address | 0, 0);
  b.writeInt32LE(type | 0, 4);
  return b;
}

/** The reference reading: whole records via readInt32LE, then the tail. */
function reference(bytes: Buffer) {
  const events: [number, number][] = [];
  const rejects: { offset: number; reason: string }[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    const type = bytes.readInt32LE(i + 4);
    if (type >= 0 && type < EVENTS.length) events.push([bytes.readInt32LE(i) >>> 0, type]);
    else rejects.push({ offset: i, reason: 'unknown-event' });
  }
  if (bytes.length % 8 !== 0)
    rejects.push({ offset: bytes.length - (bytes.length % 8), reason: 'truncated-record' });
  return { events, rejects };
}

const eventsOf = (batches: EventBatch[]) =>
  batches.flatMap((b) =>
    Array.from({ length: b.count }, (_, i): [number, number] => [b.addresses[i]!, b.types[i]!]),
  );

function parseAll(bytes: Buffer) {
  const rejected: RejectedRecord[] = [];
  const ledger = new RejectLedger((r) => rejected.push(r), recordFormat('flink-binary').rejectReasons);
  const parser = new FlinkBinaryParser(new EventLookup(EVENTS), ledger);
  const batch = createEventBatch(recordFormat('flink-binary').maxEventsIn(bytes.length));
  const consumed = parser.parse(bytes, bytes.length, true, batch, 0);
  const rejects = rejected.map(({ line, offset, reason }) => ({ line, offset, reason }));
  return { events: eventsOf([batch]), rejects, rejected, consumed, ledger };
}

async function readStream(parts: Buffer[], chunkBytes: number) {
  const rejected: RejectedRecord[] = [];
  const source = new RecordStreamSource(Readable.from(parts), {
    format: 'flink-binary',
    eventNames: EVENTS,
    chunkBytes,
    onReject: (r) => rejected.push(r),
  });
  const batches = [];
  for await (const batch of source) batches.push(batch);
  return { events: eventsOf(batches), rejects: rejected.map(({ offset, reason }) => ({ offset, reason })) };
}

async function readChunks(bytes: Buffer, chunkBytes: number) {
  const path = join(dir(), `input-${files++}.bin`);
  await writeFile(path, bytes);
  const source = fileSource(path, { eventNames: EVENTS, format: 'flink-binary', chunkBytes });
  const config = source.config as FileSourceConfig;
  const producer = createChunkProducer(config);
  const events: [number, number][] = [];
  for (let chunk = 0; chunk < source.chunks; chunk++) events.push(...eventsOf([producer.produce(chunk)]));
  const counts = producer.rejects!();
  producer.close!();
  return { events, counts, chunkBytes: config.chunkBytes };
}

const countsOf = (rejects: { reason: string }[]) => {
  const counts: Record<string, number> = {};
  for (const r of rejects) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
  return counts;
};

const CORPUS = Buffer.concat([
  record(0x0a000001, 0),
  record(0xffffffff, 6),
  record(0x01020304, 7),
  record(0, -1),
  record(0x80000000, 3),
  record(5, 0x100),
  record(0x7fffffff, 1),
  Buffer.from([1, 2, 3, 4, 5]),
]);

describe('FlinkBinaryParser', () => {
  it('reads addresses as uint32 and rejects bad type ordinals and a truncated tail, by offset', () => {
    const { events, rejects, consumed, ledger, rejected } = parseAll(CORPUS);
    expect(events).toEqual([
      [0x0a000001, 0],
      [0xffffffff, 6],
      [0x80000000, 3],
      [0x7fffffff, 1],
    ]);
    expect(rejects).toEqual([
      { line: 0, offset: 16, reason: 'unknown-event' },
      { line: 0, offset: 24, reason: 'unknown-event' },
      { line: 0, offset: 40, reason: 'unknown-event' },
      { line: 0, offset: 56, reason: 'truncated-record' },
    ]);
    expect(Buffer.from(rejected[0]!.raw).equals(record(0x01020304, 7))).toBe(true);
    expect(Array.from(rejected[3]!.raw)).toEqual([1, 2, 3, 4, 5]);
    expect(consumed).toBe(CORPUS.length);
    expect(ledger.counts).toEqual({ 'unknown-event': 3, 'truncated-record': 1 });
  });

  it('without `final`, leaves a partial record unconsumed', () => {
    const parser = new FlinkBinaryParser(new EventLookup(EVENTS), new RejectLedger());
    const batch = createEventBatch(4);
    expect(parser.parse(CORPUS.subarray(0, 13), 13, false, batch, 0)).toBe(8);
    expect(batch.count).toBe(1);
  });

  it('reads any bytes of any length as the reference does, never throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const bytes = Buffer.from(raw);
        const { events, rejects, consumed } = parseAll(bytes);
        expect(consumed).toBe(bytes.length);
        expect({ events, rejects: rejects.map(({ offset, reason }) => ({ offset, reason })) }).toEqual(
          reference(bytes),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips what encodeFlinkBinaryEvents writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 6 })), {
          maxLength: 50,
        }),
        (events) => {
          const batch = createEventBatch(events.length + 3);
          for (const [a, t] of events) {
            batch.addresses[batch.count] = a;
            batch.types[batch.count++] = t;
          }
          const bytes = encodeFlinkBinaryEvents(batch);
          expect(bytes.equals(Buffer.concat(events.map(([a, t]) => record(a, t))))).toBe(true);
          expect(parseAll(bytes).events).toEqual(events);
        },
      ),
    );
  });
});

describe('flink-binary as a stream and as a parallel file source', () => {
  const expected = reference(CORPUS);

  it('the stream reads the same for every cut point and tiny chunk sizes', async () => {
    for (let cut = 0; cut <= CORPUS.length; cut++) {
      for (const chunkBytes of [1, 3, 8, 20]) {
        const parts = [CORPUS.subarray(0, cut), CORPUS.subarray(cut)].filter((p) => p.length > 0);
        expect(await readStream(parts, chunkBytes), `cut ${cut} chunk ${chunkBytes}`).toEqual(expected);
      }
    }
  });

  it('every requested chunk size is rounded up to whole records and reads the same', async () => {
    for (let requested = 1; requested <= CORPUS.length + 8; requested++) {
      const { events, counts, chunkBytes } = await readChunks(CORPUS, requested);
      expect(chunkBytes % 8).toBe(0);
      expect(chunkBytes).toBeGreaterThanOrEqual(requested);
      expect(events, `chunk ${requested}`).toEqual(expected.events);
      expect(counts).toEqual(countsOf(expected.rejects));
    }
  });

  it('any file length works in chunks: records and the truncated tail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: 1, max: 40 }),
        async (raw, chunk) => {
          const bytes = Buffer.from(raw);
          const ref = reference(bytes);
          const { events, counts } = await readChunks(bytes, chunk);
          expect(events).toEqual(ref.events);
          expect(counts).toEqual(countsOf(ref.rejects));
          expect(await readStream([bytes], chunk)).toEqual(ref);
        },
      ),
      { numRuns: 100 },
    );
  });
});
