import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CsvParser,
  createEventBatch,
  type EventBatch,
  EventLookup,
  maxEventsIn,
  parseAddress,
  type RejectedRecord,
  RejectLedger,
} from '../src/index.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

interface Parsed {
  events: [number, number][];
  rejects: { line: number; offset: number; reason: string; raw: string }[];
  consumed: number;
  lines: number;
}

function newParser(names: readonly string[] = EVENTS) {
  const rejected: RejectedRecord[] = [];
  const ledger = new RejectLedger((record) => rejected.push(record));
  return { parser: new CsvParser(new EventLookup(names), ledger), rejected, ledger };
}

const eventsOf = (batch: EventBatch): [number, number][] =>
  Array.from({ length: batch.count }, (_, i) => [batch.addresses[i]!, batch.types[i]!]);

const rejectsOf = (rejected: RejectedRecord[]) =>
  rejected.map(({ line, offset, reason, raw }) => ({
    line,
    offset,
    reason,
    raw: Buffer.from(raw).toString('latin1'),
  }));

/** Parses the whole input in one call. */
function parseAll(input: string | Uint8Array, final = true, names: readonly string[] = EVENTS): Parsed {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const { parser, rejected } = newParser(names);
  const batch = createEventBatch(maxEventsIn(bytes.length));
  const consumed = parser.parse(bytes, bytes.length, final, batch, 0);
  return { events: eventsOf(batch), rejects: rejectsOf(rejected), consumed, lines: parser.lines };
}

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

describe('parseAddress', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1', 1],
    ['007', 7],
    ['4294967295', 0xffffffff],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['10.0.0.1', ip(10, 0, 0, 1)],
    ['192.168.001.010', ip(192, 168, 1, 10)],
    ['4294967296', -2],
    ['99999999999999999999999', -2],
    ['-5', -2],
    ['-0', -2],
    ['300.1.1.1', -2],
    ['1.2.3.256', -2],
    ['1.2.3', -1],
    ['1.2.3.4.5', -1],
    ['1..3.4', -1],
    ['.1.2.3', -1],
    ['1.2.3.', -1],
    ['1234.1.1.1', -1],
    ['', -1],
    ['-', -1],
    ['+5', -1],
    ['0x10', -1],
    ['1 2', -1],
    ['a.b.c.d', -1],
    ['-1.2.3.4', -1],
  ];
  it.each(cases)('%j → %i', (text, expected) => {
    const bytes = Buffer.from(`##${text}##`, 'latin1');
    expect(parseAddress(bytes, 2, 2 + text.length)).toBe(expected);
  });

  it('agrees with the dotted form of every uint32 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (address) => {
        const dotted = [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
        const bytes = Buffer.from(dotted);
        expect(parseAddress(bytes, 0, bytes.length)).toBe(address);
        const integer = Buffer.from(String(address));
        expect(parseAddress(integer, 0, integer.length)).toBe(address);
      }),
    );
  });
});

describe('maxEventsIn', () => {
  it('bounds the events of the densest input ("0,a" records)', () => {
    for (let n = 0; n < 50; n++) {
      const input = Array.from({ length: n }, () => '0,a').join('\n');
      expect(parseAll(input).events).toHaveLength(n);
      expect(maxEventsIn(input.length)).toBeGreaterThanOrEqual(n);
      expect(maxEventsIn(input.length + 1)).toBeGreaterThanOrEqual(n);
    }
  });
});

describe('CsvParser.parse', () => {
  it('parses dotted and integer addresses, the header on line 1, CRLF and blanks around fields', () => {
    const input =
      'address,type\r\n10.0.0.1,a\n0,b\r\n4294967295,c\n255.255.255.255,g\n \t1.2.3.4 , d\t\n0.0.0.0,e';
    const parsed = parseAll(input);
    expect(parsed.rejects).toEqual([]);
    expect(parsed.events).toEqual([
      [ip(10, 0, 0, 1), 0],
      [0, 1],
      [0xffffffff, 2],
      [0xffffffff, 6],
      [ip(1, 2, 3, 4), 3],
      [0, 4],
    ]);
    expect(parsed.consumed).toBe(input.length);
    expect(parsed.lines).toBe(7);
  });

  it('without `final` keeps the last line without newline for later, and says where it stopped', () => {
    const input = '1.2.3.4,a\n5,b\n6,c';
    const partial = parseAll(input, false);
    expect(partial.events).toEqual([
      [ip(1, 2, 3, 4), 0],
      [5, 1],
    ]);
    expect(partial.consumed).toBe('1.2.3.4,a\n5,b\n'.length);
    expect(partial.lines).toBe(2);
    const whole = parseAll(input, true);
    expect(whole.events).toEqual([...partial.events, [6, 2]]);
    expect(whole.consumed).toBe(input.length);
  });

  it('stops at `end`, not at the end of the array', () => {
    const bytes = Buffer.from('1,a\n2,b\n3,c\n');
    const { parser, rejected } = newParser();
    const batch = createEventBatch(10);
    expect(parser.parse(bytes, 8, false, batch, 0)).toBe(8);
    expect(eventsOf(batch)).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(rejected).toEqual([]);
  });

  it('resumes across calls with the line count and offsets carried (baseOffset)', () => {
    const first = Buffer.from('1,a\nbad\n2,');
    const { parser, rejected } = newParser();
    const batch = createEventBatch(10);
    const consumed = parser.parse(first, first.length, false, batch, 0);
    expect(consumed).toBe(8);
    const rest = Buffer.concat([first.subarray(consumed), Buffer.from('b\n\n3,z\n')]);
    expect(parser.parse(rest, rest.length, true, batch, consumed)).toBe(rest.length);
    expect(eventsOf(batch)).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(rejectsOf(rejected)).toEqual([
      { line: 2, offset: 4, reason: 'column-count', raw: 'bad' },
      { line: 4, offset: 12, reason: 'empty-line', raw: '' },
      { line: 5, offset: 13, reason: 'unknown-event', raw: '3,z' },
    ]);
    expect(parser.lines).toBe(5);
  });

  it('skipLine counts a line the caller skipped', () => {
    const { parser, rejected } = newParser();
    parser.skipLine();
    const batch = createEventBatch(4);
    parser.parse(Buffer.from('x\n'), 2, true, batch, 100);
    expect(rejected[0]).toMatchObject({ line: 2, offset: 100 });
  });

  it('treats the header only on line 1 as a header', () => {
    const parsed = parseAll('1,a\naddress,type\n');
    expect(parsed.events).toEqual([[1, 0]]);
    expect(parsed.rejects).toEqual([{ line: 2, offset: 4, reason: 'bad-address', raw: 'address,type' }]);
    expect(parseAll('address,type').events).toEqual([]);
    expect(parseAll('address,type').rejects).toEqual([]);
  });

  const badCases: [string, string, string][] = [
    ['empty line', '', 'empty-line'],
    ['CR only', '\r', 'empty-line'],
    ['one column', '1.2.3.4', 'column-count'],
    ['three columns', '1.2.3.4,a,b', 'column-count'],
    ['blank line', '   ', 'column-count'],
    ['octet above 255', '300.1.1.1,a', 'address-out-of-range'],
    ['three octets', '1.2.3,a', 'bad-address'],
    ['negative integer', '-5,a', 'address-out-of-range'],
    ['integer above 2^32-1', '4294967296,a', 'address-out-of-range'],
    ['empty address', ',a', 'bad-address'],
    ['word address', 'host,a', 'bad-address'],
    ['unknown event', '1.2.3.4,h', 'unknown-event'],
    ['empty event', '1.2.3.4,', 'unknown-event'],
    ['two-letter event', '1.2.3.4,ab', 'unknown-event'],
    ['uppercase event', '1.2.3.4,A', 'unknown-event'],
    ['invalid UTF-8 in the address', '1.\xff.3.4,a', 'bad-address'],
    ['invalid UTF-8 event (one byte)', '1.2.3.4,\xff', 'unknown-event'],
    ['invalid UTF-8 event (two bytes)', '1.2.3.4,\xc3\x28', 'unknown-event'],
  ];
  it.each(badCases)('%s is rejected with its reason, line and offset', (_name, line, reason) => {
    const before = '1.1.1.1,a\n22,b\r\n';
    const input = `${before}${line}\n3.3.3.3,c\n`;
    const parsed = parseAll(input);
    expect(parsed.rejects).toEqual([
      { line: 3, offset: before.length, reason, raw: line.endsWith('\r') ? line.slice(0, -1) : line },
    ]);
    expect(parsed.events).toEqual([
      [ip(1, 1, 1, 1), 0],
      [22, 1],
      [ip(3, 3, 3, 3), 2],
    ]);
  });

  it('looks up multi-character event names', () => {
    const parsed = parseAll('1,login\n2,logout\n3,log\n4,x\n', true, ['login', 'logout', 'x']);
    expect(parsed.events).toEqual([
      [1, 0],
      [2, 1],
      [4, 2],
    ]);
    expect(parsed.rejects).toEqual([{ line: 3, offset: 17, reason: 'unknown-event', raw: '3,log' }]);
  });

  it('any split into a non-final prefix and the rest gives the one-call result (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('1.2.3.4,a', '0,g', ' 9 , b ', 'x', '', '300.0.0.1,c', '5,z', 'address,type', '7,e\r'),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.nat(), (lines, trailing, cut) => {
        const input = Buffer.from(lines.join('\n') + (trailing ? '\n' : ''), 'latin1');
        const whole = parseAll(input);
        const at = input.length === 0 ? 0 : cut % (input.length + 1);
        const { parser, rejected } = newParser();
        const batch = createEventBatch(maxEventsIn(input.length));
        const consumed = parser.parse(input.subarray(0, at), at, false, batch, 0);
        expect(consumed).toBeLessThanOrEqual(at);
        const rest = input.subarray(consumed);
        expect(parser.parse(rest, rest.length, true, batch, consumed)).toBe(rest.length);
        expect(eventsOf(batch)).toEqual(whole.events);
        expect(rejectsOf(rejected)).toEqual(whole.rejects);
        expect(parser.lines).toBe(whole.lines);
      }),
      { numRuns: 300 },
    );
  });
});

describe('RejectLedger', () => {
  it('counts by reason and in total, and passes each record on in order', () => {
    const { parser, ledger, rejected } = newParser();
    const bytes = Buffer.from('\n\nx\n1.2.3,a\n1,q\n1,a\n');
    parser.parse(bytes, bytes.length, true, createEventBatch(10), 0);
    expect(ledger.total).toBe(5);
    expect(ledger.counts).toEqual({
      'empty-line': 2,
      'column-count': 1,
      'bad-address': 1,
      'address-out-of-range': 0,
      'unknown-event': 1,
      'line-too-long': 0,
    });
    expect(rejected.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
