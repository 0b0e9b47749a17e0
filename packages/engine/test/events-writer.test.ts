import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CSV_EVENTS_HEADER,
  createEventBatch,
  type EventBatch,
  EventsWriter,
  encodeFlinkBinaryEvents,
  formatCsvEvents,
  formatNdjsonEvents,
  type InputFormat,
  SinkError,
} from '../src/index.js';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/**
 * A Writable that takes its time: each write's callback comes after a few turns of the event loop,
 * and only then are the chunk's bytes copied, so a writer refilling a buffer the stream still holds
 * shows up as wrong bytes. Keeps the most bytes it held at once (written to it, not yet written out).
 */
function slowStream(delayTurns: number) {
  const stream = Object.assign(
    new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        stream.mostHeld = Math.max(stream.mostHeld, stream.writableLength);
        let turns = delayTurns;
        const later = () => {
          if (turns-- > 0) {
            setImmediate(later);
            return;
          }
          stream.chunks.push(Buffer.from(chunk));
          callback();
        };
        later();
      },
    }),
    { chunks: [] as Buffer[], mostHeld: 0 },
  );
  return stream;
}

const expected = (format: InputFormat, batches: readonly EventBatch[], header: boolean): Buffer =>
  Buffer.concat([
    Buffer.from(format === 'csv' && header ? CSV_EVENTS_HEADER : ''),
    ...batches.map((batch) =>
      format === 'csv'
        ? Buffer.from(formatCsvEvents(batch, NAMES))
        : format === 'ndjson'
          ? Buffer.from(formatNdjsonEvents(batch, NAMES))
          : encodeFlinkBinaryEvents(batch),
    ),
  ]);

/** A batch refilled in place, as the generate command refills one batch per chunk. */
function refill(batch: EventBatch, events: readonly (readonly [number, number])[]): EventBatch {
  batch.count = 0;
  for (const [address, type] of events) {
    batch.addresses[batch.count] = address;
    batch.types[batch.count++] = type;
  }
  return batch;
}

const eventsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 6 })),
  {
    maxLength: 60,
  },
);

describe('EventsWriter', () => {
  it('writes the batches’ bytes in order, through any buffer size and ring, reusing one batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<InputFormat>('csv', 'ndjson', 'flink-binary'),
        fc.array(eventsArb, { maxLength: 8 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (format, batchEvents, bufferBytes, buffers, delayTurns, csvHeader) => {
          const stream = slowStream(delayTurns);
          const writer = new EventsWriter(stream, 'memory', format, NAMES, {
            bufferBytes,
            buffers,
            csvHeader,
          });
          const batch = createEventBatch(60);
          const copies: EventBatch[] = [];
          for (const events of batchEvents) {
            await writer.write(refill(batch, events));
            copies.push(refill(createEventBatch(60), events));
          }
          await writer.finish(true);
          expect(Buffer.concat(stream.chunks).equals(expected(format, copies, csvHeader))).toBe(true);
          expect(writer.events).toBe(copies.reduce((sum, b) => sum + b.count, 0));
          expect(stream.writableFinished).toBe(true);
          // buffers are at least one event long (44 bytes for these names)
          expect(stream.mostHeld).toBeLessThanOrEqual(buffers * Math.max(bufferBytes, 44));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('writes the CSV header alone for no events, and nothing in the other formats', async () => {
    for (const format of ['csv', 'ndjson', 'flink-binary'] as const) {
      const stream = slowStream(0);
      const writer = new EventsWriter(stream, 'memory', format, NAMES);
      await writer.finish(false);
      expect(Buffer.concat(stream.chunks).toString()).toBe(format === 'csv' ? CSV_EVENTS_HEADER : '');
      expect(stream.writableEnded).toBe(false);
    }
  });

  it('hands a slow stream several buffers at once, never more than `buffers`', async () => {
    const stream = slowStream(5);
    const writer = new EventsWriter(stream, 'memory', 'ndjson', NAMES, { bufferBytes: 4096, buffers: 3 });
    const batch = refill(
      createEventBatch(5000),
      Array.from({ length: 5000 }, (_, i) => [i * 7919, i % 7] as const),
    );
    for (let k = 0; k < 20; k++) await writer.write(batch);
    await writer.finish(true);
    expect(stream.chunks.length).toBeGreaterThan(100);
    expect(stream.mostHeld).toBeGreaterThan(2 * (4096 - 64)); // a buffer is sent when the next line does not fit
    expect(stream.mostHeld).toBeLessThanOrEqual(3 * 4096);
    expect(Buffer.concat(stream.chunks).equals(expected('ndjson', new Array(20).fill(batch), true))).toBe(
      true,
    );
  });

  it('turns a stream error into a SinkError naming the output, on a later write or at the end', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const writer = new EventsWriter(broken, 'stdout', 'csv', NAMES, { bufferBytes: 256, buffers: 2 });
    const batch = refill(
      createEventBatch(1000),
      Array.from({ length: 1000 }, (_, i) => [i, i % 7] as const),
    );
    const failure = await (async () => {
      for (let k = 0; k < 10; k++) await writer.write(batch);
      await writer.finish(true);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SinkError);
    expect((failure as Error).message).toBe('cannot write stdout: the reader closed the pipe');
  });
});
