// Shared by the CsvSource tests: reading a source to the end, cutting input into blocks, and a
// reference reading of the format written independently of the parser.
import { Readable } from 'node:stream';
import { CsvSource, type CsvSourceOptions, type RejectedRecord, type RejectReason } from '../src/index.js';

export const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

export interface Reject {
  line: number;
  offset: number;
  reason: RejectReason;
  raw: string;
}

export interface Result {
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
export async function readSource(
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

export const bytesOf = (text: string) => Buffer.from(text, 'latin1');

/** Cuts `input` into blocks at the given (sorted, deduplicated) positions. */
export function cutAt(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const blocks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, input.length]) {
    if (point > start) blocks.push(input.subarray(start, point));
    start = Math.max(start, point);
  }
  return blocks;
}

export const oneByteBlocks = (input: Uint8Array) => Array.from(input, (byte) => Uint8Array.of(byte));

export const ip = (a: number, b: number, c: number, d: number) =>
  ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/**
 * The format as DESIGN.md states it, written independently of the parser: one `address,type` per
 * line (LF or CRLF), address dotted IPv4 or a non-negative integer, blanks (space, tab) around fields,
 * an optional `address,type` header on line 1. For inputs with lines up to MAX_LINE_BYTES.
 */
export function reference(
  input: Uint8Array,
  names: readonly string[] = EVENTS,
): Omit<Result, 'batches' | 'bytes'> {
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
export const MIXED = bytesOf(
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

/** start, start + step, ... below end. */
export function range(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i += step) out.push(i);
  return out;
}
