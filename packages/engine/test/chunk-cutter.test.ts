import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkCutter } from '../src/sources/chunk-cutter.js';
import { chunkRecords, chunkWindow } from '../src/sources/chunk-records.js';
import { MAX_LINE_BYTES } from '../src/sources/line-parser.js';
import type { Framing } from '../src/sources/record-format.js';

const LINES: Framing = { kind: 'lines' };
const FIXED: Framing = { kind: 'fixed', recordBytes: 8 };

/** A chunk as the producer sees it: its records' offset and bytes, and an over-long record's start. */
interface Seen {
  chunk: number;
  offset: number;
  records: string;
  overlong: string | undefined;
}

function seen(chunk: number, r: ReturnType<typeof chunkRecords>): Seen {
  const text = (from: number, to: number) => Buffer.from(r.bytes.subarray(from, to)).toString('latin1');
  return {
    chunk,
    offset: r.readStart + r.first,
    records: text(r.first, r.last),
    overlong: r.overlong ? text(r.last, Math.min(r.bytes.length, r.last + 1024)) : undefined,
  };
}

/** The chunks of a whole file in memory, as the file producer reads them: the reference. */
function fileChunks(bytes: Uint8Array, framing: Framing, chunkBytes: number): Seen[] {
  const size = bytes.length;
  const chunks: Seen[] = [];
  for (let chunk = 0; chunk * chunkBytes < size; chunk++) {
    const { start, end } = chunkWindow(framing, chunk, chunkBytes, size);
    chunks.push(
      seen(chunk, chunkRecords(framing, chunk, chunkBytes, size, bytes.subarray(start, end), start)),
    );
  }
  return chunks;
}

/** The same bytes pushed through a cutter in blocks of the given sizes (cycled). */
function cutChunks(
  bytes: Uint8Array,
  framing: Framing,
  chunkBytes: number,
  blocks: readonly number[],
): Seen[] {
  const cutter = new ChunkCutter(framing, chunkBytes);
  const chunks: Seen[] = [];
  const drain = () => {
    for (let cut = cutter.take(); cut !== undefined; cut = cutter.take())
      chunks.push(seen(cut.chunk, cut.records));
  };
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = blocks[i % blocks.length]!;
    cutter.push(bytes.subarray(offset, offset + size));
    offset += size;
    drain();
  }
  cutter.end();
  drain();
  expect(cutter.finished).toBe(true);
  return chunks;
}

describe('ChunkCutter: a stream cut into the chunks of the same bytes in a file', () => {
  it('lines: any bytes (LF, CRLF, lone CR, no trailing newline), any chunk size, any blocks', () => {
    const bytesArb = fc
      .array(fc.constantFrom('1', ',', 'a', '\n', '\r\n', '\r', '10.0.0.1,b\n', ''), { maxLength: 120 })
      .map((parts) => Buffer.from(parts.join(''), 'latin1'));
    fc.assert(
      fc.property(
        bytesArb,
        fc.integer({ min: 1, max: 40 }),
        fc
          .array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 5 })
          .filter((b) => b.some((n) => n > 0)),
        (bytes, chunkBytes, blocks) => {
          expect(cutChunks(bytes, LINES, chunkBytes, blocks)).toEqual(fileChunks(bytes, LINES, chunkBytes));
        },
      ),
      { numRuns: 500, seed: 20261204 },
    );
  });

  it('lines: streams longer than a window, so chunks are cut before the stream ends', () => {
    const partsArb = fc.array(fc.constantFrom('10.0.0.1,b\n', '1,a\r\n', 'bad\n', '\n', '\r', ','), {
      minLength: 1,
      maxLength: 30,
    });
    fc.assert(
      fc.property(
        partsArb,
        fc.integer({ min: 50, max: 40_000 }),
        fc.integer({ min: 1, max: 300_000 }),
        (parts, chunkBytes, block) => {
          const unit = parts.join('');
          const bytes = Buffer.from(unit.repeat(Math.ceil(200_000 / unit.length)), 'latin1');
          expect(cutChunks(bytes, LINES, chunkBytes, [block])).toEqual(fileChunks(bytes, LINES, chunkBytes));
        },
      ),
      { numRuns: 40, seed: 20261204 },
    );
  });

  it('fixed-size records: chunks are byte ranges, the last one short', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1, max: 6 }).map((n) => n * 8),
        fc.integer({ min: 1, max: 70 }),
        (bytes, chunkBytes, block) => {
          expect(cutChunks(bytes, FIXED, chunkBytes, [block])).toEqual(fileChunks(bytes, FIXED, chunkBytes));
        },
      ),
      { numRuns: 300, seed: 20261204 },
    );
  });

  it('lines longer than MAX_LINE_BYTES across cut points: the same over-long records and skips', () => {
    const chunkBytes = 16_384;
    for (const length of [MAX_LINE_BYTES, MAX_LINE_BYTES + 1, MAX_LINE_BYTES + 2, 3 * MAX_LINE_BYTES]) {
      for (const start of [chunkBytes - 2, chunkBytes - 1, chunkBytes, chunkBytes + 1]) {
        for (const ending of ['\n1,a\n', '\r\n', '']) {
          const text = `${'9,b\n'.repeat(start / 4)}${'x'.repeat(start % 4)}${' '.repeat(length - 3)}7,a${ending}`;
          const bytes = Buffer.from(text, 'latin1');
          const expected = fileChunks(bytes, LINES, chunkBytes);
          // A line runs past its chunk's window only when it is longer than a chunk and a maximal line.
          if (length === 3 * MAX_LINE_BYTES) expect(expected.some((chunk) => chunk.overlong)).toBe(true);
          for (const block of [1000, 65_537, 256 * 1024]) {
            expect(cutChunks(bytes, LINES, chunkBytes, [block])).toEqual(expected);
          }
        }
      }
    }
  });

  it('an empty stream has no chunks; bytes after the end are refused, as is pushing before taking', () => {
    const cutter = new ChunkCutter(LINES, 10);
    cutter.end();
    expect(cutter.take()).toBeUndefined();
    expect(cutter.finished).toBe(true);
    expect(() => cutter.push(Buffer.from('1,a\n'))).toThrow(/after end/);
    const busy = new ChunkCutter(LINES, 4);
    busy.push(Buffer.from('1,a\n'.repeat(MAX_LINE_BYTES)));
    expect(() => busy.push(Buffer.from('4,d\n'))).toThrow(/take every cut chunk/);
  });

  it('keeps about one window, whatever the stream length', () => {
    const chunkBytes = 4096;
    const cutter = new ChunkCutter(LINES, chunkBytes);
    const block = Buffer.from('10.0.0.1,a\n'.repeat(3000), 'latin1');
    let chunks = 0;
    for (let i = 0; i < 200; i++) {
      cutter.push(block);
      while (cutter.take() !== undefined) chunks++;
      const held = (cutter as unknown as { filled: number }).filled;
      expect(held).toBeLessThanOrEqual(chunkBytes + MAX_LINE_BYTES + 2 + block.length);
    }
    cutter.end();
    while (cutter.take() !== undefined) chunks++;
    expect(chunks).toBe(Math.ceil((200 * block.length) / chunkBytes));
  });
});
