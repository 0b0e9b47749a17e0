import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEventBatch,
  EventLookup,
  MAX_LINE_BYTES,
  NdjsonParser,
  type RejectedRecord,
  RejectLedger,
  recordFormat,
} from '../src/index.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

interface Reading {
  events: [number, number][];
  rejects: { line: number; offset: number; reason: string }[];
}

/** Parses the whole input in one call with a fresh parser. */
function parseAll(input: Uint8Array | string, names: readonly string[] = EVENTS) {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const rejected: RejectedRecord[] = [];
  const ledger = new RejectLedger((r) => rejected.push(r), recordFormat('ndjson').rejectReasons);
  const parser = new NdjsonParser(new EventLookup(names), ledger);
  const batch = createEventBatch(recordFormat('ndjson').maxEventsIn(bytes.length));
  const consumed = parser.parse(bytes, bytes.length, true, batch, 0);
  const events = Array.from({ length: batch.count }, (_, i): [number, number] => [
    batch.addresses[i]!,
    batch.types[i]!,
  ]);
  const rejects = rejected.map(({ line, offset, reason }) => ({ line, offset, reason }));
  return { events, rejects, consumed, ledger, rejected, lines: parser.lines };
}

/**
 * The reference reading, written independently of the parser: split lines, decode, JSON.parse,
 * and check the fields with plain JavaScript.
 */
function reference(bytes: Uint8Array, names: readonly string[] = EVENTS): Reading {
  const events: [number, number][] = [];
  const rejects: Reading['rejects'] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let newline = bytes.indexOf(0x0a, start);
    if (newline === -1) newline = bytes.length;
    let stop = newline;
    if (stop > start && bytes[stop - 1] === 0x0d) stop--;
    line++;
    const reason = referenceLine(bytes.subarray(start, stop), names, events);
    if (reason !== undefined) rejects.push({ line, offset: start, reason });
    start = newline + 1;
  }
  return { events, rejects };
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function referenceLine(raw: Uint8Array, names: readonly string[], events: [number, number][]) {
  if (raw.length > MAX_LINE_BYTES) return 'line-too-long';
  const text = new TextDecoder().decode(raw);
  if (/^[ \t\r]*$/.test(text)) return 'empty-line';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not-an-object';
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, 'address') || !Object.hasOwn(record, 'type')) return 'missing-field';
  let address: number;
  const a = record.address;
  if (typeof a === 'number') {
    if (a < 0 || a > 4294967295) return 'address-out-of-range';
    if (!Number.isInteger(a)) return 'bad-address';
    address = a >>> 0;
  } else if (typeof a === 'string' && /^\d+$/.test(a)) {
    if (Number(a) > 4294967295) return 'address-out-of-range';
    address = Number(a);
  } else if (typeof a === 'string' && DOTTED.test(a)) {
    const octets = DOTTED.exec(a)!.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return 'address-out-of-range';
    address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  } else if (typeof a === 'string' && /^-\d+$/.test(a)) {
    return 'address-out-of-range';
  } else {
    return 'bad-address';
  }
  const type = typeof record.type === 'string' ? names.indexOf(record.type) : -1;
  if (type < 0) return 'unknown-event';
  events.push([address, type]);
  return undefined;
}

describe('NdjsonParser: valid records', () => {
  it('reads the canonical shape, integers, extra fields, blanks, CRLF and a last line without newline', () => {
    const input = [
      '{"address":"10.0.0.1","type":"a"}',
      '{"address":167772162,"type":"b"}\r',
      '  {"type":"c", "extra":[1,{"x":null}], "address":"255.255.255.255"}\t ',
      '{"address":"0","type":"g","address2":"x"}',
      '{"address":4294967295,"type":"d"}',
    ].join('\n');
    const { events, rejects, lines, consumed } = parseAll(input);
    expect(rejects).toEqual([]);
    expect(events).toEqual([
      [0x0a000001, 0],
      [0x0a000002, 1],
      [0xffffffff, 2],
      [0, 6],
      [0xffffffff, 3],
    ]);
    expect(lines).toBe(5);
    expect(consumed).toBe(Buffer.byteLength(input));
  });

  it('reads escaped strings, exponents and duplicate keys as JSON.parse does', () => {
    const input = [
      '{"address":"\\u0031.2.3.4","type":"\\u0061"}',
      '{"address":1e3,"type":"b"}',
      '{"address":"9.9.9.9","address":"1.1.1.1","type":"z","type":"c"}',
    ].join('\n');
    expect(parseAll(input).events).toEqual([
      [0x01020304, 0],
      [1000, 1],
      [0x01010101, 2],
    ]);
  });

  it('without `final`, stops before an unterminated last line', () => {
    const bytes = Buffer.from('{"address":"1.0.0.0","type":"a"}\n{"address":"2.0');
    const parser = new NdjsonParser(new EventLookup(EVENTS), new RejectLedger());
    const batch = createEventBatch(10);
    expect(parser.parse(bytes, bytes.length, false, batch, 0)).toBe(33);
    expect(batch.count).toBe(1);
  });

  it('reads event names longer than one character', () => {
    const names = ['login', 'logout', 'é'];
    const input = '{"address":"1.1.1.1","type":"logout"}\n{"address":"1.1.1.1","type":"é"}\n';
    expect(parseAll(input, names).events).toEqual([
      [0x01010101, 1],
      [0x01010101, 2],
    ]);
  });
});

describe('NdjsonParser: rejected records', () => {
  const corpus: [string, string][] = [
    ['', 'empty-line'],
    ['  \t ', 'empty-line'],
    ['{"address":"10.0.0.1","type":"a"', 'not-json'],
    ['address,type', 'not-json'],
    ['{"address":"10.0.0.1","type":"a"} x', 'not-json'],
    ["{'address':'10.0.0.1','type':'a'}", 'not-json'],
    ['[1,2]', 'not-an-object'],
    ['null', 'not-an-object'],
    ['"10.0.0.1,a"', 'not-an-object'],
    ['42', 'not-an-object'],
    ['{"type":"a"}', 'missing-field'],
    ['{"address":"10.0.0.1"}', 'missing-field'],
    ['{}', 'missing-field'],
    ['{"address":"1.2.3","type":"a"}', 'bad-address'],
    ['{"address":"x","type":"a"}', 'bad-address'],
    ['{"address":1.5,"type":"a"}', 'bad-address'],
    ['{"address":true,"type":"a"}', 'bad-address'],
    ['{"address":null,"type":"a"}', 'bad-address'],
    ['{"address":" 1.2.3.4","type":"a"}', 'bad-address'],
    ['{"address":"300.1.1.1","type":"a"}', 'address-out-of-range'],
    ['{"address":4294967296,"type":"a"}', 'address-out-of-range'],
    ['{"address":-1,"type":"a"}', 'address-out-of-range'],
    ['{"address":"1.2.3.4","type":"q"}', 'unknown-event'],
    ['{"address":"1.2.3.4","type":""}', 'unknown-event'],
    ['{"address":"1.2.3.4","type":1}', 'unknown-event'],
    ['{"address":"1.2.3.4","type":"A"}', 'unknown-event'],
  ];
  const valid = '{"address":"1.2.3.4","type":"b"}';

  it.each(corpus)('%j is rejected as %s, and the valid lines around it are kept', (line, reason) => {
    const input = `${valid}\n${line}\r\n${valid}\n`;
    const { events, rejects } = parseAll(input);
    expect(rejects).toEqual([{ line: 2, offset: valid.length + 1, reason }]);
    expect(events).toEqual([
      [0x01020304, 1],
      [0x01020304, 1],
    ]);
  });

  it('counts the whole corpus by reason, with the line and offset of each reject', () => {
    const input = `${corpus.map(([line]) => line).join('\n')}\n`;
    const { ledger, rejected, events } = parseAll(input);
    expect(events).toEqual([]);
    expect(ledger.total).toBe(corpus.length);
    expect(ledger.counts).toEqual({
      'empty-line': 2,
      'not-json': 4,
      'not-an-object': 4,
      'missing-field': 3,
      'bad-address': 6,
      'address-out-of-range': 3,
      'unknown-event': 4,
      'line-too-long': 0,
    });
    let offset = 0;
    corpus.forEach(([line], i) => {
      expect(rejected[i]).toMatchObject({ line: i + 1, offset });
      expect(Buffer.from(rejected[i]!.raw).toString()).toBe(line);
      offset += Buffer.byteLength(line) + 1;
    });
  });

  it('rejects a line longer than MAX_LINE_BYTES as line-too-long, even when it is valid JSON', () => {
    const long = `{"address":"1.2.3.4","type":"a","pad":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    const { rejects, events } = parseAll(`${long}\n{"address":"1.2.3.4","type":"a"}\n`);
    expect(rejects).toEqual([{ line: 1, offset: 0, reason: 'line-too-long' }]);
    expect(events).toHaveLength(1);
  });
});

/** Lines a generator can make: canonical, equivalent variants, near misses and garbage. */
const address = fc.oneof(
  fc
    .integer({ min: 0, max: 0xffffffff })
    .map((a) => `"${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}"`),
  fc.integer({ min: 0, max: 0xffffffff }).map(String),
  fc.integer({ min: -5, max: 0x1_0000_0005 }).map((a) => `"${a}"`),
  fc.constantFrom('"1.2.3"', '"256.0.0.1"', '1.5', '-0', '1e2', 'null', '"\\u0032.0.0.1"', '""', '"..."'),
);
const type = fc.oneof(
  fc.constantFrom(...EVENTS).map((t) => `"${t}"`),
  fc.constantFrom('"q"', '""', '1', '"\\u0062"', '"ab"', 'null'),
);
const blank = fc.constantFrom('', ' ', '\t', ' \t ');
const ndjsonLine = fc.oneof(
  fc.tuple(address, type).map(([a, t]) => `{"address":${a},"type":${t}}`),
  fc
    .tuple(blank, address, blank, type, blank)
    .map(([b, a, c, t, d]) => `${b}{${c}"type":${t},"address":${a}}${d}`),
  fc.tuple(address, type).map(([a, t]) => `{"address":${a},"x":[1,"}"],"type":${t}}`),
  fc.tuple(address, type).map(([a, t]) => `{"address":${a},"type":${t}`),
  fc.constantFrom('', '{}', '[]', 'x', '{"address":"1.1.1.1"}', '"a"', '{"address":"1.1.1.1","type":"a"}}'),
  fc.string({ maxLength: 40 }),
);

describe('NdjsonParser: properties', () => {
  it('reads any lines exactly as the JSON.parse reference does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ndjsonLine, fc.constantFrom('\n', '\r\n')), { maxLength: 30 }),
        (lines) => {
          const bytes = Buffer.from(lines.map(([l, end]) => l + end).join(''));
          const { events, rejects } = parseAll(bytes);
          expect({ events, rejects }).toEqual(reference(bytes));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary bytes, and every line is an event or a reject', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const { events, rejects, consumed, lines } = parseAll(bytes);
        expect(consumed).toBe(bytes.length);
        expect(events.length + rejects.length).toBe(lines);
        expect({ events, rejects }).toEqual(reference(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('recovers every valid record placed among garbage lines', () => {
    const garbage = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a)));
    const event = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 6 }));
    fc.assert(
      fc.property(fc.array(fc.oneof(garbage, event), { maxLength: 40 }), (items) => {
        const expected: [number, number][] = [];
        const parts: Buffer[] = [];
        for (const item of items) {
          if (Buffer.isBuffer(item)) parts.push(item);
          else {
            const [a, t] = item;
            expected.push([a, t]);
            parts.push(Buffer.from(`{"address":${a},"type":"${EVENTS[t]}"}`));
          }
        }
        const bytes = Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')]));
        const { events } = parseAll(bytes);
        // A garbage line may itself be a valid record; the embedded ones must all be there, in order.
        let next = 0;
        for (const e of events)
          if (next < expected.length && e[0] === expected[next]![0] && e[1] === expected[next]![1]) next++;
        expect(next).toBe(expected.length);
        expect(events).toEqual(reference(bytes).events);
      }),
      { numRuns: 300 },
    );
  });
});
