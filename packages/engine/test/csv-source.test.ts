import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CsvSource,
  DEFAULT_CHUNK_BYTES,
  InputError,
  MAX_LINE_BYTES,
  type RejectReason,
} from '../src/index.js';
import {
  bytesOf,
  cutAt,
  EVENTS,
  ip,
  MIXED,
  oneByteBlocks,
  range,
  readSource,
  reference,
} from './csv-source-support.js';

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
