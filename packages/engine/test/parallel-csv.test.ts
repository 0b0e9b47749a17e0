import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../src/batch.js';
import { runJob } from '../src/runtime/job.js';
import { csvFileSource } from '../src/sources/csv-file-source.js';
import { CsvSource } from '../src/sources/csv-source.js';
import { MAX_LINE_BYTES } from '../src/sources/line-parser.js';
import type { RejectReason } from '../src/sources/reject.js';
import { counterOutputs, outputText, parallelFixture, recordingSink } from './fixtures/parallel-support.js';
import { useTempDir } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const operator = { module: parallelFixture('parallel-counter'), config: {} };

const dir = useTempDir('parallel-csv');
let files = 0;

async function writeInput(bytes: Uint8Array): Promise<string> {
  const path = join(dir(), `input-${files++}.csv`);
  await writeFile(path, bytes);
  return path;
}

// ---------------------------------------------------------------------------------------------------
// The oracle: files built from records whose meaning is known when they are written.

/** What a record is: an event, a bad record (and why), or the header. */
type Meaning =
  | { event: readonly [address: number, type: number] }
  | { reject: RejectReason }
  | { header: true };

interface CsvRecord {
  text: string;
  meaning: Meaning;
}

/** The terminator after a record; the last record may also end the file with none or a lone CR. */
type Terminator = '\n' | '\r\n' | '' | '\r';

const dotted = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;

function event(key: number, type: number, form: 'dotted' | 'integer' | 'blanks' = 'dotted'): CsvRecord {
  const address = key >>> 0;
  const name = EVENTS[type]!;
  const text =
    form === 'dotted'
      ? `${dotted(address)},${name}`
      : form === 'integer'
        ? `${address},${name}`
        : ` \t${dotted(address)} ,\t${name}  `;
  return { text, meaning: { event: [address, type] } };
}

const bad = (text: string, reason: RejectReason): CsvRecord => ({ text, meaning: { reject: reason } });
const HEADER: CsvRecord = { text: 'address,type', meaning: { header: true } };

/** Bad records of every reason (but line-too-long). */
const BAD: CsvRecord[] = [
  bad('', 'empty-line'),
  bad('hello', 'column-count'),
  bad('1,a,b', 'column-count'),
  bad(' ', 'column-count'),
  bad('1.2.3,a', 'bad-address'),
  bad('x1,b', 'bad-address'),
  bad(',c', 'bad-address'),
  bad('address,type', 'bad-address'), // a header anywhere but the first line is a bad record
  bad('256.1.1.1,a', 'address-out-of-range'),
  bad('4294967296,d', 'address-out-of-range'),
  bad('-5,a', 'address-out-of-range'),
  bad('1,z', 'unknown-event'),
  bad('1,', 'unknown-event'),
  bad('7,ab', 'unknown-event'),
];

/**
 * A record of `length` bytes (CR and LF not counted): a valid event padded with leading blanks, so
 * it is an event when length ≤ MAX_LINE_BYTES and a line-too-long reject otherwise.
 */
function longRecord(length: number, address: number): CsvRecord {
  const tail = `${address},b`;
  const text = ' '.repeat(length - tail.length) + tail;
  return {
    text,
    meaning: length > MAX_LINE_BYTES ? { reject: 'line-too-long' } : { event: [address, 1] },
  };
}

const isHeaderText = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase() === 'address,type';

interface Input {
  bytes: Buffer;
  /** Events in file order, with the byte offset where each record starts. */
  events: { address: number; type: number; start: number }[];
  rejects: Partial<Record<RejectReason, number>>;
  /** Byte offsets where the bad records start. */
  rejectStarts: number[];
}

/** Writes the records (record i ends with terminators[i], default LF) and what a reader must find. */
function build(records: readonly CsvRecord[], terminators: readonly Terminator[] = []): Input {
  const parts: string[] = [];
  const events: Input['events'] = [];
  const rejects: Partial<Record<RejectReason, number>> = {};
  const rejectStarts: number[] = [];
  let offset = 0;
  records.forEach((record, i) => {
    const terminator = terminators[i] ?? '\n';
    const last = i === records.length - 1;
    if (!last && (terminator === '' || terminator === '\r'))
      throw new Error('only the last record may end the file');
    const raw = record.text + terminator;
    if (raw.length === 0) return; // an empty last record without terminator is no record at all
    // Only line 1 can be the header; a header line anywhere else is a bad address.
    const meaning: Meaning =
      i === 0 && isHeaderText(record.text)
        ? { header: true }
        : i > 0 && 'header' in record.meaning
          ? { reject: 'bad-address' }
          : record.meaning;
    if ('event' in meaning) events.push({ address: meaning.event[0], type: meaning.event[1], start: offset });
    if ('reject' in meaning) {
      rejects[meaning.reject] = (rejects[meaning.reject] ?? 0) + 1;
      rejectStarts.push(offset);
    }
    parts.push(raw);
    offset += raw.length;
  });
  return { bytes: Buffer.from(parts.join(''), 'latin1'), events, rejects, rejectStarts };
}

/** The chunks of the file source's rule: chunk k holds the events whose record starts in [k·c, (k+1)·c). */
function chunksOf(input: Input, chunkBytes: number): EventBatch[] {
  const chunks = Math.ceil(input.bytes.length / chunkBytes);
  const lists = Array.from({ length: chunks }, () => [] as Input['events']);
  for (const e of input.events) lists[Math.floor(e.start / chunkBytes)]!.push(e);
  return lists.map((list) => ({
    count: list.length,
    addresses: Uint32Array.from(list, (e) => e.address),
    types: Uint8Array.from(list, (e) => e.type),
  }));
}

const nonZero = (counts: Partial<Record<RejectReason, number>>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== undefined && n > 0));

/** The sequential CsvSource on the same file: its events and its reject counts. */
async function sequential(path: string, chunkBytes?: number) {
  const source = new CsvSource(createReadStream(path, { highWaterMark: 1024 }), {
    eventNames: EVENTS,
    ...(chunkBytes === undefined ? {} : { chunkBytes }),
  });
  const events: [number, number][] = [];
  for await (const batch of source) {
    for (let i = 0; i < batch.count; i++) events.push([batch.addresses[i]!, batch.types[i]!]);
  }
  return { events, rejects: nonZero(source.rejects.counts) };
}

interface RunOptions {
  chunkBytes: number;
  workers: number;
  partitions?: number;
  sourceParallelism?: number;
}

async function runCsv(path: string, options: RunOptions) {
  const sink = recordingSink();
  const summary = await runJob({
    source: csvFileSource(path, { eventNames: EVENTS, chunkBytes: options.chunkBytes }),
    operator,
    sink,
    workers: options.workers,
    partitions: options.partitions ?? 16,
    ...(options.sourceParallelism === undefined ? {} : { sourceParallelism: options.sourceParallelism }),
  });
  return { sink, summary };
}

/** Runs the file as a parallel source and checks everything against the oracle; returns the text. */
async function expectRunMatches(input: Input, path: string, options: RunOptions): Promise<string> {
  const chunks = chunksOf(input, options.chunkBytes);
  const expected = counterOutputs(chunks);
  const { sink, summary } = await runCsv(path, options);
  const label = `chunkBytes ${options.chunkBytes}, workers ${options.workers}`;
  expect(sink.text, label).toBe(outputText(expected.outputs));
  expect(summary.rejects, label).toEqual(nonZero(input.rejects));
  expect(summary, label).toMatchObject({
    events: input.events.length,
    outputs: expected.outputs.length,
    chunks: chunks.length,
    liveKeys: expected.liveKeys,
    interrupted: false,
  });
  expect(sink.closed).toBe(1);
  return sink.text;
}

/** The sequential CsvSource finds the same events and rejects as the oracle. */
async function expectSequentialAgrees(input: Input, path: string, chunkBytes?: number): Promise<void> {
  const seq = await sequential(path, chunkBytes);
  expect(seq.events).toEqual(input.events.map((e) => [e.address, e.type]));
  expect(seq.rejects).toEqual(nonZero(input.rejects));
}

// ---------------------------------------------------------------------------------------------------

/** Events, CRLF and LF, every bad reason, a second header, ending in a record without newline. */
function kitchen(): Input {
  const records: CsvRecord[] = [HEADER];
  const terminators: Terminator[] = ['\r\n'];
  let n = 0;
  const add = (record: CsvRecord, terminator: Terminator = n % 3 === 0 ? '\r\n' : '\n') => {
    records.push(record);
    terminators.push(terminator);
    n++;
  };
  const keys = [0, 1, 0x0a000001, 0xffffffff, 0xc0a80001];
  for (let i = 0; i < 24; i++) {
    add(event(keys[i % keys.length]!, i % 7, (['dotted', 'integer', 'blanks'] as const)[i % 3]));
    if (i % 4 === 1) add(BAD[(i * 5) % BAD.length]!);
  }
  add(bad('', 'empty-line'), '\r\n');
  add(bad('', 'empty-line'));
  add(HEADER);
  for (const record of BAD) add(record);
  for (let i = 0; i < 6; i++) add(event(keys[(i * 3) % keys.length]!, (i * 2) % 7, 'integer'));
  add(event(0x0a000001, 2), '');
  return build(records, terminators);
}

describe('a CSV file as a parallel source: chunk boundaries', { timeout: 60_000 }, () => {
  it('the oracle agrees with the sequential CsvSource on the kitchen-sink file', async () => {
    const input = kitchen();
    const path = await writeInput(input.bytes);
    expect(input.bytes.includes('\r\n')).toBe(true);
    expect(input.bytes.at(-1)).not.toBe(0x0a);
    expect(Object.keys(input.rejects).sort()).toEqual(
      ['address-out-of-range', 'bad-address', 'column-count', 'empty-line', 'unknown-event'].sort(),
    );
    await expectSequentialAgrees(input, path);
    await expectSequentialAgrees(input, path, 16);
  });

  it('every chunk size from 1 byte to past the file: every byte is a cut point (workers 0)', async () => {
    const input = kitchen();
    const path = await writeInput(input.bytes);
    const size = input.bytes.length;
    for (let chunkBytes = 1; chunkBytes <= size + 1; chunkBytes++) {
      await expectRunMatches(input, path, { chunkBytes, workers: 0 });
    }
  });

  it('the first chunk may hold the header and nothing else; a header line opening a later chunk is a bad record', async () => {
    const records = [HEADER, event(1, 0), HEADER, event(2, 1)];
    const input = build(records);
    expect(input.rejects).toEqual({ 'bad-address': 1 });
    const path = await writeInput(input.bytes);
    // "address,type\n" is 13 bytes and "0.0.0.1,a\n" 10: with 13-byte chunks the header is chunk 0
    // alone, and the second header starts chunk 1... with 23-byte chunks it starts chunk 1 exactly.
    for (const chunkBytes of [13, 23, 1, 2, 100]) {
      await expectRunMatches(input, path, { chunkBytes, workers: 0 });
    }
    await expectSequentialAgrees(input, path);
  });

  it('a file of only a header, with or without newline, has no events and no rejects', async () => {
    for (const terminator of ['\n', '\r\n', '', '\r'] as const) {
      const input = build([HEADER], [terminator]);
      expect(input.events).toEqual([]);
      expect(input.rejects).toEqual({});
      const path = await writeInput(input.bytes);
      for (const chunkBytes of [1, 5, 12, 13, 64])
        await expectRunMatches(input, path, { chunkBytes, workers: 0 });
    }
  });

  it('random files cut at random sizes match the oracle and the sequential CsvSource (workers 0)', async () => {
    const recordArb: fc.Arbitrary<CsvRecord> = fc.oneof(
      fc
        .tuple(
          fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x0a000001), fc.nat({ max: 0xffffffff })),
          fc.integer({ min: 0, max: 6 }),
          fc.constantFrom('dotted' as const, 'integer' as const, 'blanks' as const),
        )
        .map(([address, type, form]) => event(address, type, form)),
      fc.constantFrom(...BAD),
    );
    const fileArb = fc.record({
      header: fc.boolean(),
      records: fc.array(fc.tuple(recordArb, fc.boolean()), { maxLength: 40 }),
      end: fc.constantFrom<Terminator>('\n', '\r\n', '', '\r'),
      chunkBytes: fc.integer({ min: 1, max: 80 }),
    });
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ header, records, end, chunkBytes }) => {
        const list = [...(header ? [HEADER] : []), ...records.map(([r]) => r)];
        const terminators: Terminator[] = [
          ...(header ? (['\n'] as Terminator[]) : []),
          ...records.map(([, crlf]): Terminator => (crlf ? '\r\n' : '\n')),
        ];
        if (list.length > 0) terminators[list.length - 1] = end;
        const input = build(list, terminators);
        const path = await writeInput(input.bytes);
        await expectSequentialAgrees(input, path);
        await expectRunMatches(input, path, { chunkBytes, workers: 0 });
      }),
      { numRuns: 200, seed: 20260601 },
    );
  });
});

describe('lines longer than MAX_LINE_BYTES, around the cut points', { timeout: 60_000 }, () => {
  const CHUNK = 16_384;
  // Lengths at and around the limit (CR and LF not counted), and far past it.
  const LENGTHS = [
    MAX_LINE_BYTES - 1,
    MAX_LINE_BYTES,
    MAX_LINE_BYTES + 1,
    MAX_LINE_BYTES + 2,
    3 * MAX_LINE_BYTES,
  ];

  /** Valid records filling exactly `bytes` bytes (each LF-terminated); bytes ≥ 10 or 0. */
  function filler(bytes: number, from: number): { records: CsvRecord[]; terminators: Terminator[] } {
    const records: CsvRecord[] = [];
    let left = bytes;
    let i = from;
    while (left > 0) {
      // "N,a\n" with blanks in front: a record of exactly `size` bytes with its LF.
      const size = left >= 60 ? 40 : left;
      const tail = `${i % 1000},${EVENTS[i % 7]}`;
      records.push({
        text: ' '.repeat(size - 1 - tail.length) + tail,
        meaning: { event: [i % 1000, i % 7] },
      });
      left -= size;
      i++;
    }
    return { records, terminators: records.map(() => '\n' as Terminator) };
  }

  /** A file whose long record starts at `start` (relative to the cut at CHUNK), then `after` more records. */
  function longLineFile(length: number, crlf: boolean, start: number, last: Terminator | 'more'): Input {
    const before = filler(start, 0);
    const records = [...before.records, longRecord(length, 77)];
    const terminators: Terminator[] = [
      ...before.terminators,
      last === 'more' ? (crlf ? '\r\n' : '\n') : last,
    ];
    if (last === 'more') {
      const after = filler(200, 500);
      records.push(...after.records, bad('1,q', 'unknown-event'), event(0x0a000001, 0));
      terminators.push(...after.terminators, '\n', '\n');
    }
    return build(records, terminators);
  }

  it('are rejected as line-too-long exactly when the sequential CsvSource rejects them (workers 0)', async () => {
    let cases = 0;
    for (const length of LENGTHS) {
      for (const crlf of [false, true]) {
        for (const start of [CHUNK - 2, CHUNK - 1, CHUNK, CHUNK + 1]) {
          for (const last of ['more', crlf ? '\r\n' : '\n', '', '\r'] as const) {
            const input = longLineFile(length, crlf, start, last);
            const path = await writeInput(input.bytes);
            const tooLong = length > MAX_LINE_BYTES;
            expect(input.rejects['line-too-long'] ?? 0).toBe(tooLong ? 1 : 0);
            // The sequential source in one block, and in 1 KiB chunks (its long-line skipping path).
            await expectSequentialAgrees(input, path);
            if (last === 'more') await expectSequentialAgrees(input, path, 1024);
            await expectRunMatches(input, path, { chunkBytes: CHUNK, workers: 0 });
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(LENGTHS.length * 2 * 4 * 4);
  });

  it('several long lines in a row, spanning many chunks, each counted once', async () => {
    const records: CsvRecord[] = [
      event(1, 0),
      longRecord(3 * MAX_LINE_BYTES, 5),
      longRecord(MAX_LINE_BYTES + 1, 6),
      longRecord(MAX_LINE_BYTES, 7),
      bad('', 'empty-line'),
      longRecord(2 * MAX_LINE_BYTES, 8),
      event(2, 3),
    ];
    const input = build(records, ['\n', '\r\n', '\n', '\r\n', '\n', '\n', '']);
    expect(input.rejects).toEqual({ 'line-too-long': 3, 'empty-line': 1 });
    const path = await writeInput(input.bytes);
    await expectSequentialAgrees(input, path);
    for (const chunkBytes of [1000, 4096, MAX_LINE_BYTES, MAX_LINE_BYTES + 1, 1 << 20]) {
      await expectRunMatches(input, path, { chunkBytes, workers: 0 });
    }
  });
});

describe('the same bytes out for every W, P and S (worker threads)', { timeout: 60_000 }, () => {
  /**
   * ~80 chunks of 1 KiB: a header, many events over a few keys (LF and CRLF), a run of 200 bad
   * records (chunks with no event), a line-too-long spanning chunks, and no newline at the end.
   */
  function mixed(): Input {
    const records: CsvRecord[] = [];
    const terminators: Terminator[] = [];
    const push = (record: CsvRecord, terminator: Terminator = '\n') => {
      records.push(record);
      terminators.push(terminator);
    };
    push(HEADER, '\r\n');
    for (let i = 0; i < 600; i++) {
      push(
        event([3, 0x0a000001, 0xffffffff, 42, 0][i % 5]! ^ (i % 11 === 0 ? 1 : 0), (i * 3) % 7, 'integer'),
        i % 2 ? '\n' : '\r\n',
      );
      if (i === 250) {
        for (let j = 0; j < 200; j++) push(BAD[j % BAD.length]!);
      }
      if (i === 400) push(longRecord(MAX_LINE_BYTES + 1, 9), '\r\n');
    }
    push(event(7, 6), '');
    return build(records, terminators);
  }

  // [workers, partitions, sourceParallelism, chunkBytes]
  const CONFIGS: [number, number, number, number][] = [
    [1, 1, 1, 1024],
    [2, 7, 3, 97],
    [3, 128, 2, 333],
  ];

  it.each(CONFIGS)(
    'workers %i, partitions %i, sourceParallelism %i, %i-byte chunks',
    async (workers, partitions, s, chunkBytes) => {
      const input = mixed();
      const path = await writeInput(input.bytes);
      const chunks = chunksOf(input, chunkBytes);
      // The file does have chunks made of nothing but bad records, and a line-too-long.
      const chunkOf = (offset: number) => Math.floor(offset / chunkBytes);
      const badOnly = new Set(input.rejectStarts.map(chunkOf).filter((k) => chunks[k]!.count === 0));
      expect(badOnly.size).toBeGreaterThanOrEqual(1);
      expect(input.rejects['line-too-long']).toBe(1);
      const inline = await expectRunMatches(input, path, { chunkBytes, workers: 0, partitions });
      const threaded = await expectRunMatches(input, path, {
        chunkBytes,
        workers,
        partitions,
        sourceParallelism: s,
      });
      expect(threaded).toBe(inline);
    },
  );

  it('an empty file (workers 1) and a file smaller than one chunk (workers 2): S = 2, so a producer has nothing to do', async () => {
    const empty = build([]);
    expect(empty.bytes.length).toBe(0);
    const emptyPath = await writeInput(empty.bytes);
    const { sink, summary } = await runCsv(emptyPath, { chunkBytes: 64, workers: 1, sourceParallelism: 2 });
    expect(summary).toMatchObject({ events: 0, outputs: 0, chunks: 0, interrupted: false });
    expect(summary.rejects).toEqual({});
    expect(sink.writes).toEqual([]);
    expect(sink.closed).toBe(1);
    await expectSequentialAgrees(empty, emptyPath);

    const small = build(
      [HEADER, event(1, 0), bad('x', 'column-count'), event(2, 1), event(1, 3)],
      ['\n', '\r\n', '\n', '\n', ''],
    );
    const smallPath = await writeInput(small.bytes);
    await expectRunMatches(small, smallPath, { chunkBytes: 1 << 20, workers: 2, sourceParallelism: 2 });
    await expectSequentialAgrees(small, smallPath);
  });
});
