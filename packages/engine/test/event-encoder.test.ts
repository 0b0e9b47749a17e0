import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CSV_EVENTS_HEADER,
  createEventBatch,
  type EventBatch,
  EventEncoder,
  encodeFlinkBinaryEvents,
  formatCsvEvents,
  formatNdjsonEvents,
  type InputFormat,
} from '../src/index.js';

const SEED_EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/** The straightforward encoding, written here from the formats' definitions (README, DESIGN.md). */
function reference(format: InputFormat, batch: EventBatch, eventNames: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < batch.count; i++) {
    const a = batch.addresses[i]!;
    const dotted = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
    const name = eventNames[batch.types[i]!]!;
    if (format === 'csv') parts.push(Buffer.from(`${dotted},${name}\n`));
    else if (format === 'ndjson')
      parts.push(Buffer.from(`${JSON.stringify({ address: dotted, type: name })}\n`));
    else {
      const record = Buffer.alloc(8);
      record.writeUInt32LE(a, 0);
      record.writeUInt32LE(batch.types[i]!, 4);
      parts.push(record);
    }
  }
  return Buffer.concat(parts);
}

/** What the string encoders (kept for the Kafka producer and as the reference) write, as bytes. */
function stringEncoders(format: InputFormat, batch: EventBatch, eventNames: readonly string[]): Buffer {
  if (format === 'csv') return Buffer.from(formatCsvEvents(batch, eventNames));
  if (format === 'ndjson') return Buffer.from(formatNdjsonEvents(batch, eventNames));
  return encodeFlinkBinaryEvents(batch);
}

/**
 * Encodes the whole batch through buffers of `bufferBytes` (each starting at `offset`, the bytes
 * before it marked), as a writer would: checks each buffer's bytes before the offset are untouched
 * and that every call wrote at least one event into a buffer with room for one.
 */
function encodeInBuffers(
  encoder: EventEncoder,
  batch: EventBatch,
  bufferBytes: number,
  offset: number,
): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  while (from < batch.count) {
    const out = Buffer.alloc(offset + bufferBytes, 0xee);
    const next = encoder.encode(batch, from, out, offset);
    expect(next).toBeGreaterThan(from);
    expect(encoder.end).toBeLessThanOrEqual(out.length);
    expect(out.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
    parts.push(out.subarray(offset, encoder.end));
    from = next;
  }
  return Buffer.concat(parts);
}

const batchOf = (events: readonly (readonly [number, number])[]): EventBatch => {
  const batch = createEventBatch(events.length + 5);
  for (const [address, type] of events) {
    batch.addresses[batch.count] = address;
    batch.types[batch.count++] = type;
  }
  return batch;
};

/** Addresses weighted towards the octet edge cases (0, 9/10, 99/100, 255) besides any uint32. */
const octet = fc.oneof(
  fc.constantFrom(0, 1, 9, 10, 99, 100, 199, 200, 255),
  fc.integer({ min: 0, max: 255 }),
);
const address = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.tuple(octet, octet, octet, octet).map(([a, b, c, d]) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0),
);
/** Event names: what machines allow (letters, digits, _.:@#/+-), and any string for the encoder itself. */
const eventNames = fc.oneof(
  fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.:@#/+-]{1,40}$/), { minLength: 1, maxLength: 12 }),
  fc.uniqueArray(fc.string({ unit: 'binary', minLength: 0, maxLength: 9 }), { minLength: 1, maxLength: 5 }),
);
const FORMATS: InputFormat[] = ['csv', 'ndjson', 'flink-binary'];

describe('EventEncoder', () => {
  it('writes the bytes of the string encoders and of the formats’ definitions, for any events and names', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        eventNames.chain((names) =>
          fc.tuple(
            fc.constant(names),
            fc.array(fc.tuple(address, fc.integer({ min: 0, max: names.length - 1 })), { maxLength: 200 }),
          ),
        ),
        (format, [names, events]) => {
          const batch = batchOf(events);
          const encoder = new EventEncoder(format, names);
          const out = Buffer.alloc(events.length * encoder.maxEventBytes + 7);
          expect(encoder.encode(batch, 0, out, 3)).toBe(batch.count);
          const bytes = out.subarray(3, encoder.end);
          expect(bytes.equals(reference(format, batch, names))).toBe(true);
          expect(bytes.equals(stringEncoders(format, batch, names))).toBe(true);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('fills a buffer with whole events only, from any event, at any offset, and the pieces make the whole', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        fc.array(fc.tuple(address, fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 9 }),
        (format, events, extraBytes, offset) => {
          const batch = batchOf(events);
          const encoder = new EventEncoder(format, SEED_EVENTS);
          const bufferBytes = encoder.maxEventBytes + extraBytes;
          expect(
            encodeInBuffers(encoder, batch, bufferBytes, offset).equals(
              reference(format, batch, SEED_EVENTS),
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes nothing into a buffer without room for one event, and nothing for an empty batch', () => {
    const encoder = new EventEncoder('ndjson', SEED_EVENTS);
    const batch = batchOf([[0xffffffff, 6]]);
    const out = Buffer.alloc(encoder.maxEventBytes + 10, 0xee);
    expect(encoder.encode(batch, 0, out, 11)).toBe(0);
    expect(encoder.end).toBe(11);
    expect(out.every((byte) => byte === 0xee)).toBe(true);
    expect(encoder.encode(batchOf([]), 0, out, 0)).toBe(0);
    expect(encoder.end).toBe(0);
  });

  it('has the CSV header, and no header in the other formats', () => {
    expect(Buffer.from(new EventEncoder('csv', SEED_EVENTS).header).toString()).toBe(CSV_EVENTS_HEADER);
    expect(new EventEncoder('ndjson', SEED_EVENTS).header).toHaveLength(0);
    expect(new EventEncoder('flink-binary', SEED_EVENTS).header).toHaveLength(0);
  });

  it('writes the longest lines whole: 255.255.255.255 and a 40-byte event name', () => {
    const names = ['a', 'x'.repeat(40)];
    for (const format of FORMATS) {
      const batch = batchOf([
        [0xffffffff, 1],
        [0, 0],
        [0xffffffff, 1],
      ]);
      const encoder = new EventEncoder(format, names);
      expect(encodeInBuffers(encoder, batch, encoder.maxEventBytes, 0)).toEqual(
        reference(format, batch, names),
      );
    }
  });
});
