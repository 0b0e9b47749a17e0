import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FileSourceConfig } from '../src/index.js';
import {
  BadRecordError,
  fileSource,
  MAX_LINE_BYTES,
  RecordStreamSource,
  type RejectedRecord,
} from '../src/index.js';
import { createChunkProducer } from '../src/sources/file-producer.js';
import { useTempDir } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const LINES = [
  '{"address":"10.0.0.1","type":"a"}',
  '',
  '{"address":167772162,"type":"b"}\r',
  'not json',
  ' {"type":"c","address":"1.2.3.4","n":"\\n"} ',
  '{"address":"300.0.0.1","type":"a"}',
  '[]',
  '{"address":"4.3.2.1","type":"x"}',
  '{"type":"a"}',
  '{"address":"9.9.9.9","type":"g"}',
];
const TEXT = `${LINES.join('\n')}\n{"address":"8.8.8.8","type":"d"}`;
const EXPECTED_EVENTS: [number, number][] = [
  [0x0a000001, 0],
  [0x0a000002, 1],
  [0x01020304, 2],
  [0x09090909, 6],
  [0x08080808, 3],
];
const EXPECTED_REJECTS = {
  'empty-line': 1,
  'not-json': 1,
  'address-out-of-range': 1,
  'not-an-object': 1,
  'unknown-event': 1,
  'missing-field': 1,
};

const dir = useTempDir('ndjson');
let files = 0;

const eventsOf = (batches: { count: number; addresses: Uint32Array; types: Uint8Array }[]) =>
  batches.flatMap((b) =>
    Array.from({ length: b.count }, (_, i): [number, number] => [b.addresses[i]!, b.types[i]!]),
  );

/** The bytes cut into blocks at `cuts`. */
function blocks(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  return out.filter((b) => b.length > 0);
}

async function readStream(parts: Buffer[], chunkBytes: number) {
  const rejected: RejectedRecord[] = [];
  const source = new RecordStreamSource(Readable.from(parts), {
    format: 'ndjson',
    eventNames: EVENTS,
    chunkBytes,
    onReject: (r) => rejected.push(r),
  });
  const batches = [];
  for await (const batch of source) batches.push(batch);
  return { events: eventsOf(batches), rejected, counts: source.rejects.nonZero() };
}

/** Every chunk of the file, produced one by one as the parallel source's producers would. */
async function readChunks(bytes: Buffer, chunkBytes: number) {
  const path = join(dir(), `input-${files++}.ndjson`);
  await writeFile(path, bytes);
  const source = fileSource(path, { eventNames: EVENTS, format: 'ndjson', chunkBytes });
  const producer = createChunkProducer(source.config as FileSourceConfig);
  const events: [number, number][] = [];
  for (let chunk = 0; chunk < source.chunks; chunk++) events.push(...eventsOf([producer.produce(chunk)]));
  const counts = producer.rejects!();
  producer.close!();
  return { events, counts };
}

describe('NDJSON as a stream (RecordStreamSource)', () => {
  it('reads events and rejects with lines and offsets', async () => {
    const { events, rejected, counts } = await readStream([Buffer.from(TEXT)], 1 << 20);
    expect(events).toEqual(EXPECTED_EVENTS);
    expect(counts).toEqual(EXPECTED_REJECTS);
    expect(rejected.map((r) => r.line)).toEqual([2, 4, 6, 7, 8, 9]);
    for (const r of rejected) {
      const offset = Buffer.from(TEXT).indexOf(Buffer.from(r.raw));
      expect(r.offset).toBe(r.raw.length === 0 ? TEXT.indexOf('\n\n') + 1 : offset);
    }
  });

  it('gives the same reading for every cut point and tiny chunk sizes', async () => {
    const bytes = Buffer.from(TEXT);
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const chunkBytes of [1, 7, 64]) {
        const { events, counts } = await readStream(blocks(bytes, [cut]), chunkBytes);
        expect(events, `cut ${cut} chunk ${chunkBytes}`).toEqual(EXPECTED_EVENTS);
        expect(counts).toEqual(EXPECTED_REJECTS);
      }
    }
  });

  it('rejects an over-long line without buffering it, and keeps the records after it', async () => {
    const long = `{"address":"1.1.1.1","type":"a","pad":"${'x'.repeat(MAX_LINE_BYTES * 2)}"}`;
    const text = `{"address":"2.2.2.2","type":"b"}\n${long}\n{"address":"3.3.3.3","type":"c"}\n`;
    const bytes = Buffer.from(text);
    const { events, rejected } = await readStream(blocks(bytes, [1000, 50_000, 100_000]), 4096);
    expect(events).toEqual([
      [0x02020202, 1],
      [0x03030303, 2],
    ]);
    expect(rejected.map(({ line, offset, reason }) => ({ line, offset, reason }))).toEqual([
      { line: 2, offset: 33, reason: 'line-too-long' },
    ]);
  });

  it('stops at the first bad record with --strict semantics', async () => {
    const source = new RecordStreamSource(Readable.from([Buffer.from(TEXT)]), {
      format: 'ndjson',
      eventNames: EVENTS,
      strict: true,
      name: 'in.ndjson',
    });
    const read = async () => {
      for await (const _ of source) {
        // drain
      }
    };
    const error = await read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as Error).message).toBe('in.ndjson:2: empty line');
  });
});

describe('NDJSON as a parallel file source (byte-range chunks)', () => {
  it('every chunk size from 1 byte up reads the same events and rejects as the stream', async () => {
    const bytes = Buffer.from(TEXT);
    for (let chunkBytes = 1; chunkBytes <= bytes.length + 1; chunkBytes++) {
      const { events, counts } = await readChunks(bytes, chunkBytes);
      expect(events, `chunk ${chunkBytes}`).toEqual(EXPECTED_EVENTS);
      expect(counts, `chunk ${chunkBytes}`).toEqual(EXPECTED_REJECTS);
    }
  });

  it('with CRLF line ends and no final newline, as well', async () => {
    const bytes = Buffer.from(TEXT.replaceAll('\n', '\r\n'));
    for (const chunkBytes of [1, 2, 3, 5, 16, 33, 34, 35]) {
      const { events, counts } = await readChunks(bytes, chunkBytes);
      expect(events).toEqual(EXPECTED_EVENTS);
      expect(counts).toEqual(EXPECTED_REJECTS);
    }
  });
});
