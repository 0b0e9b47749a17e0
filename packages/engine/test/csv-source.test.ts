import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BadRecordError,
  CsvSource,
  type CsvSourceOptions,
  DEFAULT_CHUNK_BYTES,
  InputError,
  MAX_LINE_BYTES,
  REJECT_DESCRIPTIONS,
  type RejectedRecord,
  type RejectReason,
} from '../src/index.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

interface Reject {
  line: number;
  offset: number;
  reason: RejectReason;
  raw: string;
}

interface Result {
  events: [number, number][];
  rejects: Reject[];
  batches: number[];
  lines: number;
  bytes: number;
}

const toReject = ({ line, offset, reason, raw }: RejectedRecord): Reject => ({
  line,
  offset,
  reason,
  raw: Buffer.from(raw).toString('latin1'),
});

/** Reads the source to the end, collecting events, rejects and the size of each batch. */
async function readSource(
  blocks: readonly Uint8Array[],
  options: Partial<CsvSourceOptions> = {},
): Promise<Result> {
  const rejects: Reject[] = [];
  const source = new CsvSource(Readable.from(blocks.map((b) => Buffer.from(b))), {
    eventNames: EVENTS,
    onReject: (record) => rejects.push(toReject(record)),
    ...options,
  });
  const events: [number, number][] = [];
  const batches: number[] = [];
  for await (const batch of source) {
    batches.push(batch.count);
    for (let i = 0; i < batch.count; i++) events.push([batch.addresses[i]!, batch.types[i]!]);
  }
  return { events, rejects, batches, lines: source.lines, bytes: source.bytes };
}

const bytesOf = (text: string) => Buffer.from(text, 'latin1');

/** Cuts `input` into blocks at the given (sorted, deduplicated) positions. */
function cutAt(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const blocks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, input.length]) {
    if (point > start) blocks.push(input.subarray(start, point));
    start = Math.max(start, point);
  }
  return blocks;
}

const oneByteBlocks = (input: Uint8Array) => Array.from(input, (byte) => Uint8Array.of(byte));

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/**
 * The format as DESIGN.md states it, written independently of the parser: one `address,type` per
 * line (LF or CRLF), address dotted IPv4 or a non-negative integer, blanks (space, tab) around fields,
 * an optional `address,type` header on line 1. For inputs with lines up to MAX_LINE_BYTES.
 */
function reference(input: Uint8Array, names: readonly string[] = EVENTS): Omit<Result, 'batches' | 'bytes'> {
  const text = Buffer.from(input).toString('latin1');
  const events: [number, number][] = [];
  const rejects: Reject[] = [];
  const trim = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    let newline = text.indexOf('\n', pos);
    if (newline === -1) newline = text.length;
    let content = text.slice(pos, newline);
    if (content.endsWith('\r')) content = content.slice(0, -1);
    line++;
    const reject = (reason: RejectReason) => rejects.push({ line, offset: pos, reason, raw: content });
    const fields = content.split(',');
    if (content === '') reject('empty-line');
    else if (line === 1 && trim(content).toLowerCase() === 'address,type') {
      // header
    } else if (fields.length !== 2) reject('column-count');
    else {
      const address = trim(fields[0]!);
      const type = names.indexOf(trim(fields[1]!));
      const dotted = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
      let value: number | RejectReason;
      if (/^\d+$/.test(address)) {
        value = BigInt(address) > 0xffffffffn ? 'address-out-of-range' : Number(address);
      } else if (/^-\d+$/.test(address)) {
        value = 'address-out-of-range';
      } else if (dotted !== null) {
        const octets = dotted.slice(1).map(Number);
        value = octets.some((o) => o > 255)
          ? 'address-out-of-range'
          : ip(octets[0]!, octets[1]!, octets[2]!, octets[3]!);
      } else {
        value = 'bad-address';
      }
      if (typeof value === 'string') reject(value);
      else if (type < 0) reject('unknown-event');
      else events.push([value, type]);
    }
    pos = newline + 1;
  }
  return { events, rejects, lines: line };
}

/** An input with every kind of record, CRLF and blanks, used for the block-boundary sweep. */
const MIXED = bytesOf(
  [
    'address,type\r',
    '10.0.0.1,a',
    '0,b',
    ' 4294967295 ,\tc',
    '255.255.255.255,g\r',
    '',
    'garbage',
    '300.1.1.1,a',
    '1.2.3,b',
    '-5,c',
    '4294967296,d',
    '1.2.3.4,h',
    '1.\xff.3.4,a',
    '5,\xc3\x28',
    '1.2.3.4,a,b',
    '192.168.1.1,e\r',
    '\r',
    '7,f',
  ].join('\n'),
);

describe('CsvSource: valid records', () => {
  it('dotted and integer addresses, header on line 1, CRLF, blanks, no trailing newline', async () => {
    const input = bytesOf('address,type\r\n0,a\n4294967295,b\r\n255.255.255.255,c\n \t10.1.2.3\t , g \n8,d');
    const result = await readSource([input], { chunkBytes: 8 });
    expect(result.rejects).toEqual([]);
    expect(result.events).toEqual([
      [0, 0],
      [0xffffffff, 1],
      [0xffffffff, 2],
      [ip(10, 1, 2, 3), 6],
      [8, 3],
    ]);
    expect(result.lines).toBe(6);
    expect(result.bytes).toBe(input.length);
  });

  it('the header is optional, and only a header on line 1', async () => {
    const result = await readSource([bytesOf('1,a\naddress,type\n2,b\n')]);
    expect(result.events).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(result.rejects).toEqual([{ line: 2, offset: 4, reason: 'bad-address', raw: 'address,type' }]);
  });

  it('an empty input, and a header alone, give no batches and no rejects', async () => {
    for (const input of ['', 'address,type', 'address,type\n']) {
      const result = await readSource(input === '' ? [] : [bytesOf(input)]);
      expect(result).toMatchObject({ events: [], rejects: [], batches: [] });
    }
  });

  it('takes the machine event names, including longer ones', async () => {
    const result = await readSource([bytesOf('1,start\n2,stop\n3,a\n')], { eventNames: ['start', 'stop'] });
    expect(result.events).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(result.rejects).toEqual([{ line: 3, offset: 15, reason: 'unknown-event', raw: '3,a' }]);
  });
});

describe('CsvSource: rejected records', () => {
  const cases: [string, string, RejectReason][] = [
    ['an empty line', '', 'empty-line'],
    ['a wrong column count', '1.2.3.4', 'column-count'],
    ['too many columns', '1.2.3.4,a,b', 'column-count'],
    ['an octet above 255', '300.1.1.1,a', 'address-out-of-range'],
    ['three octets', '1.2.3,a', 'bad-address'],
    ['a negative integer', '-5,a', 'address-out-of-range'],
    ['an integer above 2^32-1', '4294967296,a', 'address-out-of-range'],
    ['an unknown event', '1.2.3.4,x', 'unknown-event'],
    ['invalid UTF-8 in the address', '1.2.\xfe\xff.4,a', 'bad-address'],
    ['invalid UTF-8 as the event', '1.2.3.4,\xff', 'unknown-event'],
    ['an overlong UTF-8 event', '1.2.3.4,\xc0\xe1', 'unknown-event'],
  ];
  it.each(cases)('%s: exact reason, line and byte offset; neighbours kept', async (_name, bad, reason) => {
    const before = 'address,type\n1.1.1.1,a\r\n22,b\n';
    const input = bytesOf(`${before}${bad}\r\n3.3.3.3,c\n${bad}\n4,d`);
    const second = before.length + bad.length + 2 + '3.3.3.3,c\n'.length;
    for (const chunkBytes of [undefined, 1, 5]) {
      const result = await readSource([input], chunkBytes === undefined ? {} : { chunkBytes });
      expect(result.rejects).toEqual([
        { line: 4, offset: before.length, reason, raw: bad },
        { line: 6, offset: second, reason, raw: bad },
      ]);
      expect(result.events).toEqual([
        [ip(1, 1, 1, 1), 0],
        [22, 1],
        [ip(3, 3, 3, 3), 2],
        [4, 3],
      ]);
    }
  });

  it('counts rejects by reason in `rejects`', async () => {
    const source = new CsvSource(Readable.from([MIXED]), { eventNames: EVENTS, chunkBytes: 16 });
    for await (const _ of source) {
      // drain
    }
    expect(source.rejects.total).toBe(reference(MIXED).rejects.length);
    expect(source.rejects.counts).toEqual({
      'empty-line': 2,
      'column-count': 2,
      'bad-address': 2,
      'address-out-of-range': 3,
      'unknown-event': 2,
      'line-too-long': 0,
    });
  });

  it('the mixed input matches the reference reading of the format', async () => {
    const result = await readSource([MIXED]);
    const expected = reference(MIXED);
    expect(expected.events.length).toBe(6);
    expect(expected.rejects.length).toBe(11);
    expect(result.events).toEqual(expected.events);
    expect(result.rejects).toEqual(expected.rejects);
    expect(result.lines).toBe(expected.lines);
  });
});

describe('CsvSource: lines longer than MAX_LINE_BYTES', () => {
  const long = 'x'.repeat(MAX_LINE_BYTES + 5000);
  const before = '1.2.3.4,a\n';
  const input = bytesOf(`${before}${long}\n5,b\nbad\n6,c\n${long}`);
  const afterLong = before.length + long.length + 1;

  it('streamed in blocks: rejected as line-too-long, and the lines after it still parsed', async () => {
    const blocks = cutAt(
      input,
      Array.from({ length: Math.ceil(input.length / 4096) }, (_, i) => i * 4096),
    );
    const result = await readSource(blocks, { chunkBytes: 1024 });
    expect(result.events).toEqual([
      [ip(1, 2, 3, 4), 0],
      [5, 1],
      [6, 2],
    ]);
    expect(result.rejects.map(({ raw, ...rest }) => rest)).toEqual([
      { line: 2, offset: before.length, reason: 'line-too-long' },
      { line: 4, offset: afterLong + 4, reason: 'column-count' },
      { line: 6, offset: afterLong + 4 + 4 + 4, reason: 'line-too-long' },
    ]);
    // The record of an over-long line is cut to a prefix; memory stays bounded.
    expect(result.rejects[0]!.raw.length).toBeGreaterThan(0);
    expect(result.rejects[0]!.raw.length).toBeLessThan(long.length);
    expect(long.startsWith(result.rejects[0]!.raw)).toBe(true);
  });

  // DESIGN.md: the logical stream never depends on how the input is cut into chunks. A line longer
  // than MAX_LINE_BYTES is `line-too-long` however its bytes arrive.
  it('rejects a line longer than MAX_LINE_BYTES the same way however the input is split', async () => {
    const padded = `1.2.3.4${' '.repeat(3 * MAX_LINE_BYTES)},a`;
    for (const longLine of ['y'.repeat(MAX_LINE_BYTES + 10), padded]) {
      const text = bytesOf(`5,b\n${longLine}\n6,c\n`);
      const deliveries: [string, Uint8Array[], number | undefined][] = [
        ['one block, default chunk', [text], undefined],
        ['1000-byte blocks, 64-byte chunks', cutAt(text, range(0, text.length, 1000)), 64],
        ['16 KiB blocks, 4 KiB chunks', cutAt(text, range(0, text.length, 16_384)), 4096],
      ];
      for (const [how, blocks, chunkBytes] of deliveries) {
        const result = await readSource(blocks, chunkBytes === undefined ? {} : { chunkBytes });
        const summary = {
          events: result.events,
          rejects: result.rejects.map(({ raw, ...rest }) => rest),
        };
        expect(summary, `${longLine.length}-byte line, ${how}`).toEqual({
          events: [
            [5, 1],
            [6, 2],
          ],
          rejects: [{ line: 2, offset: 4, reason: 'line-too-long' }],
        });
      }
    }
  });

  it('a line of exactly MAX_LINE_BYTES is parsed as a record', async () => {
    const record = `1.2.3.4${' '.repeat(MAX_LINE_BYTES - 9)},a`;
    expect(record.length).toBe(MAX_LINE_BYTES);
    const text = bytesOf(`${record}\n2,b\n`);
    const result = await readSource(cutAt(text, range(0, text.length, 1000)), { chunkBytes: 64 });
    expect(result.rejects).toEqual([]);
    expect(result.events).toEqual([
      [ip(1, 2, 3, 4), 0],
      [2, 1],
    ]);
  });

  it('a line of exactly MAX_LINE_BYTES ending in CRLF is a record, even cut between \\r and \\n', async () => {
    const record = `1.2.3.4${' '.repeat(MAX_LINE_BYTES - 9)},a`;
    const text = bytesOf(`${record}\r\n2,b\r\n`);
    for (const cuts of [[record.length], [record.length + 1], range(0, text.length, 999)]) {
      const result = await readSource(cutAt(text, cuts), { chunkBytes: 16 });
      expect(result.rejects, `cut at ${cuts.slice(0, 3)}`).toEqual([]);
      expect(result.events).toEqual([
        [ip(1, 2, 3, 4), 0],
        [2, 1],
      ]);
    }
  });

  it('a line of MAX_LINE_BYTES + 1 is line-too-long, however it is cut', async () => {
    const record = `1.2.3.4${' '.repeat(MAX_LINE_BYTES - 8)},a`;
    const text = bytesOf(`${record}\n2,b\n`);
    for (const [cuts, chunkBytes] of [
      [[], undefined],
      [[record.length], 16],
      [range(0, text.length, 999), 16],
    ] as const) {
      const result = await readSource(cutAt(text, cuts), chunkBytes === undefined ? {} : { chunkBytes });
      expect(result.rejects.map(({ raw, ...rest }) => rest)).toEqual([
        { line: 1, offset: 0, reason: 'line-too-long' },
      ]);
      expect(result.events).toEqual([[2, 1]]);
    }
  });
});

function range(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i += step) out.push(i);
  return out;
}

describe('CsvSource: records straddling block and chunk boundaries', () => {
  it('every split of the input into two blocks gives the same events and rejects', async () => {
    const expected = await readSource([MIXED]);
    expect(expected.events.length).toBeGreaterThan(0);
    for (const chunkBytes of [1, 7, 64]) {
      for (let at = 0; at <= MIXED.length; at++) {
        const result = await readSource(cutAt(MIXED, [at]), { chunkBytes });
        expect(result.events, `split at ${at}, chunkBytes ${chunkBytes}`).toEqual(expected.events);
        expect(result.rejects, `split at ${at}, chunkBytes ${chunkBytes}`).toEqual(expected.rejects);
        expect(result.lines).toBe(expected.lines);
        expect(result.bytes).toBe(MIXED.length);
      }
    }
  });

  it('one-byte blocks give the same events and rejects, for several chunk sizes', async () => {
    const expected = await readSource([MIXED]);
    for (const chunkBytes of [1, 2, 3, 5, 16, 1000]) {
      const result = await readSource(oneByteBlocks(MIXED), { chunkBytes });
      expect(result.events).toEqual(expected.events);
      expect(result.rejects).toEqual(expected.rejects);
    }
  });

  it('small chunks give several batches', async () => {
    const result = await readSource(oneByteBlocks(MIXED), { chunkBytes: 16 });
    expect(result.batches.length).toBeGreaterThan(1);
    expect(result.batches.every((n) => n > 0)).toBe(true);
  });
});

describe('CsvSource: properties', () => {
  /** Random bytes, cut at random places, read with a random small chunk size. */
  const splitBytes = fc.record({
    input: fc.uint8Array({ maxLength: 600 }),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    chunkBytes: fc.integer({ min: 1, max: 64 }),
  });

  it('arbitrary bytes never throw, give in-range events, and match the reference reading', async () => {
    await fc.assert(
      fc.asyncProperty(splitBytes, async ({ input, cuts, chunkBytes }) => {
        const result = await readSource(cutAt(input, cuts), { chunkBytes });
        for (const [address, type] of result.events) {
          expect(Number.isInteger(address) && address >= 0 && address <= 0xffffffff).toBe(true);
          expect(type >= 0 && type < EVENTS.length).toBe(true);
        }
        const expected = reference(input);
        expect(result.events).toEqual(expected.events);
        expect(result.rejects).toEqual(expected.rejects);
      }),
      { numRuns: 300 },
    );
  });

  /** Lines built from tokens that make valid records, near misses and junk likely. */
  const token = fc.constantFrom(
    '0',
    '1',
    '25',
    '255',
    '256',
    '999',
    '1000',
    '4294967295',
    '4294967296',
    '.',
    '.',
    ',',
    ',',
    '-',
    ' ',
    '\t',
    '\r',
    'a',
    'g',
    'h',
    'ab',
    '\xff',
    '\xc3\x28',
    'address,type',
  );
  const tokenLine = fc.array(token, { maxLength: 10 }).map((tokens) => tokens.join(''));

  it('token-built lines, cut anywhere: the same events and rejects as the reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tokenLine, { maxLength: 40 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 48 }),
        async (lines, trailingNewline, cuts, chunkBytes) => {
          const input = bytesOf(lines.join('\n') + (trailingNewline ? '\n' : ''));
          const result = await readSource(cutAt(input, cuts), { chunkBytes });
          const expected = reference(input);
          expect(result.events).toEqual(expected.events);
          expect(result.rejects).toEqual(expected.rejects);
          expect(result.lines).toBe(expected.lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  const validRecord = fc
    .record({
      address: fc.integer({ min: 0, max: 0xffffffff }),
      dotted: fc.boolean(),
      type: fc.integer({ min: 0, max: EVENTS.length - 1 }),
      pad: fc.constantFrom('', ' ', '\t', '  '),
      crlf: fc.boolean(),
    })
    .map(({ address, dotted, type, pad, crlf }) => {
      const a = dotted ? [24, 16, 8, 0].map((s) => (address >>> s) & 255).join('.') : String(address);
      return {
        event: [address, type] as [number, number],
        text: `${pad}${a}${pad},${pad}${EVENTS[type]}${pad}${crlf ? '\r' : ''}`,
      };
    });
  /** Junk without newlines; the leading `#` makes it a record no reading accepts. */
  const garbage = fc
    .uint8Array({ maxLength: 80 })
    .map((bytes) => `#${Buffer.from(bytes.filter((b) => b !== 0x0a)).toString('latin1')}`);

  it('valid lines among random garbage lines are all recovered, in order; the garbage is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            validRecord.map((v) => ({ valid: v })),
            garbage.map((g) => ({ junk: g })),
          ),
          {
            maxLength: 60,
          },
        ),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 100 }),
        async (items, header, cuts, chunkBytes) => {
          const lines = items.map((item) => ('valid' in item ? item.valid.text : item.junk));
          if (header) lines.unshift('address,type');
          const input = bytesOf(lines.map((line) => `${line}\n`).join(''));
          const result = await readSource(cutAt(input, cuts), { chunkBytes });
          expect(result.events).toEqual(items.flatMap((item) => ('valid' in item ? [item.valid.event] : [])));
          const junkLines: number[] = [];
          items.forEach((item, i) => {
            if ('junk' in item) junkLines.push(i + 1 + (header ? 1 : 0));
          });
          expect(result.rejects.map((r) => r.line)).toEqual(junkLines);
          for (const r of result.rejects) expect(['column-count', 'bad-address']).toContain(r.reason);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('CsvSource: strict mode', () => {
  it('throws BadRecordError `name:line: reason` at the first bad record', async () => {
    const input = bytesOf('address,type\n1.2.3.4,a\n2,b\n300.0.0.1,c\n\n');
    for (const [name, blocks] of [
      ['events.csv', [input]],
      ['stdin', oneByteBlocks(input)],
    ] as const) {
      const source = new CsvSource(Readable.from(blocks.map((b) => Buffer.from(b))), {
        eventNames: EVENTS,
        name,
        strict: true,
        chunkBytes: 4,
      });
      const seen: number[] = [];
      const error = await (async () => {
        try {
          for await (const batch of source) seen.push(...batch.addresses.subarray(0, batch.count));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(BadRecordError);
      const bad = error as BadRecordError;
      expect(bad.message).toBe(`${name}:4: ${REJECT_DESCRIPTIONS['address-out-of-range']}`);
      expect(bad.code).toBe('BAD_RECORD');
      expect(bad.details).toEqual({ line: 4, offset: 'address,type\n1.2.3.4,a\n2,b\n'.length });
      expect(seen.every((a) => a === ip(1, 2, 3, 4) || a === 2)).toBe(true);
    }
  });

  it('names the input "input" by default', async () => {
    const source = new CsvSource(Readable.from([bytesOf('1,a\n\n')]), { eventNames: EVENTS, strict: true });
    await expect(
      (async () => {
        for await (const _ of source) {
          // drain
        }
      })(),
    ).rejects.toThrow(/^input:2: empty line$/);
  });

  it('throws for an over-long line too', async () => {
    const text = bytesOf(`1,a\n${'z'.repeat(MAX_LINE_BYTES * 2)}\n2,b\n`);
    const source = new CsvSource(Readable.from(cutAt(text, range(0, text.length, 1000))), {
      eventNames: EVENTS,
      strict: true,
      chunkBytes: 64,
      name: 'f',
    });
    await expect(
      (async () => {
        for await (const _ of source) {
          // drain
        }
      })(),
    ).rejects.toThrow(`f:2: ${REJECT_DESCRIPTIONS['line-too-long']}`);
  });

  it('arbitrary bytes: throws a BadRecordError at the first reference reject, or reads all (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (input, cuts) => {
          const expected = reference(input);
          const source = new CsvSource(Readable.from(cutAt(input, cuts).map((b) => Buffer.from(b))), {
            eventNames: EVENTS,
            strict: true,
            chunkBytes: 8,
            name: 'p',
          });
          let error: unknown;
          try {
            for await (const _ of source) {
              // drain
            }
          } catch (e) {
            error = e;
          }
          const first = expected.rejects[0];
          if (first === undefined) {
            expect(error).toBeUndefined();
          } else {
            expect(error).toBeInstanceOf(BadRecordError);
            expect((error as Error).message).toBe(`p:${first.line}: ${REJECT_DESCRIPTIONS[first.reason]}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('CsvSource: large inputs and read errors', () => {
  /** `count` records, mixing address forms, as one buffer, with the events they encode. */
  function bigInput(count: number) {
    const addresses = new Uint32Array(count);
    const types = new Uint8Array(count);
    const lines: string[] = ['address,type'];
    let x = 12345;
    for (let i = 0; i < count; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      addresses[i] = x;
      types[i] = i % 7;
      const a = i % 3 === 0 ? String(x) : [24, 16, 8, 0].map((s) => (x >>> s) & 255).join('.');
      lines.push(`${a},${EVENTS[i % 7]}${i % 5 === 0 ? '\r' : ''}`);
    }
    return { addresses, types, bytes: Buffer.from(`${lines.join('\n')}\n`) };
  }

  it('a several-MB source yields several batches whose concatenation is the input', async () => {
    const { addresses, types, bytes } = bigInput(400_000);
    expect(bytes.length).toBeGreaterThan(5_000_000);
    const chunkBytes = 1024 * 1024;
    const source = new CsvSource(Readable.from(cutAt(bytes, range(0, bytes.length, 65_536))), {
      eventNames: EVENTS,
      chunkBytes,
    });
    const gotAddresses: Uint32Array[] = [];
    const gotTypes: Uint8Array[] = [];
    let batches = 0;
    for await (const batch of source) {
      batches++;
      // Each batch holds about one chunk of records: memory stays bounded by the chunk size.
      expect(batch.addresses.length).toBeLessThan(chunkBytes);
      gotAddresses.push(batch.addresses.slice(0, batch.count));
      gotTypes.push(batch.types.slice(0, batch.count));
    }
    expect(batches).toBeGreaterThanOrEqual(5);
    expect(
      Buffer.concat(gotAddresses.map((a) => Buffer.from(a.buffer))).equals(Buffer.from(addresses.buffer)),
    ).toBe(true);
    expect(Buffer.concat(gotTypes).equals(Buffer.from(types))).toBe(true);
    expect(source.rejects.total).toBe(0);
    expect(source.bytes).toBe(bytes.length);
    expect(source.lines).toBe(400_001);
  });

  it('with the default chunk size, a source larger than DEFAULT_CHUNK_BYTES gives more than one batch', async () => {
    const { addresses, types, bytes } = bigInput(700_000);
    expect(bytes.length).toBeGreaterThan(DEFAULT_CHUNK_BYTES);
    const source = new CsvSource(Readable.from(cutAt(bytes, range(0, bytes.length, 65_536))), {
      eventNames: EVENTS,
    });
    let batches = 0;
    let n = 0;
    let mismatches = 0;
    for await (const batch of source) {
      batches++;
      for (let i = 0; i < batch.count; i++, n++) {
        if (batch.addresses[i] !== addresses[n] || batch.types[i] !== types[n]) mismatches++;
      }
    }
    expect(batches).toBeGreaterThan(1);
    expect(n).toBe(addresses.length);
    expect(mismatches).toBe(0);
  });

  it('a read error becomes an InputError naming the input', async () => {
    let sent = false;
    const failing = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(Buffer.from('1,a\n2,'));
        } else {
          this.destroy(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
        }
      },
    });
    const source = new CsvSource(failing, { eventNames: EVENTS, name: 'data.csv', chunkBytes: 1 });
    const error = await (async () => {
      try {
        for await (const _ of source) {
          // drain
        }
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('INPUT_UNREADABLE');
    expect((error as Error).message).toBe('cannot read data.csv: EIO');
  });
});
