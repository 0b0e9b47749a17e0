import type { EventBatch } from '../batch.js';
import type { InputFormat } from '../sources/record-format.js';
import { CSV_EVENTS_HEADER } from './csv-events.js';

const NDJSON_PREFIX = '{"address":"';

/**
 * Dotted decimal of each octet followed by '.', packed little-endian in one int32 (the bytes past
 * the dot are zero), and its length with the dot: an octet is one 4-byte store, whatever its digit
 * count (the bytes past it are overwritten by what follows).
 */
const OCTET_DOT = new Int32Array(256);
const OCTET_DOT_BYTES = new Uint8Array(256);
for (let octet = 0; octet < 256; octet++) {
  const [words] = packWords([`${octet}.`]);
  OCTET_DOT[octet] = words[0]!;
  OCTET_DOT_BYTES[octet] = `${octet}.`.length;
}

/** Each text's UTF-8 bytes as little-endian int32 words (the last one zero-padded), and the byte counts. */
function packWords(texts: readonly string[]): [Int32Array, Int32Array] {
  const bytes = texts.map((text) => Buffer.from(text, 'utf8'));
  const wordCount = bytes.reduce((sum, b) => sum + Math.ceil(b.length / 4), 0);
  const words = new Int32Array(wordCount);
  let w = 0;
  for (const b of bytes) {
    for (let k = 0; k < b.length; k++) words[w + (k >> 2)] = words[w + (k >> 2)]! | (b[k]! << (8 * (k & 3)));
    w += Math.ceil(b.length / 4);
  }
  return [words, Int32Array.from(bytes, (b) => b.length)];
}

/**
 * Encodes event batches as bytes in an input format — CSV lines `10.0.0.1,a`, NDJSON lines
 * `{"address":"10.0.0.1","type":"a"}` or Flink's 8-byte records — straight into a caller's buffer,
 * 4 bytes per store (a DataView's unaligned little-endian int32 stores: an octet with its dot, the
 * per-type line ends and the NDJSON prefix are prepacked words), with no strings and no
 * allocation per event. The bytes are exactly those of `formatCsvEvents`, `formatNdjsonEvents`
 * (as UTF-8) and `encodeFlinkBinaryEvents`.
 */
export class EventEncoder {
  /**
   * Bytes the buffer must have free past the offset for one more event: its bytes and the up to
   * 3 bytes past them that the word stores overwrite (the next event or the end discards them).
   */
  readonly maxEventBytes: number;
  /** Bytes written before the first event (the CSV header), or empty. */
  readonly header: Uint8Array;
  /** The offset after the last byte written by the latest `encode`. */
  end = 0;
  private readonly binary: boolean;
  private readonly tables: LineTables;

  constructor(format: InputFormat, eventNames: readonly string[]) {
    this.binary = format === 'flink-binary';
    const lineEnds = eventNames.map((name) =>
      format === 'csv' ? `,${name}\n` : `","type":${JSON.stringify(name)}}\n`,
    );
    const [suffix, suffixBytes] = packWords(this.binary ? [] : lineEnds);
    const suffixStart = new Int32Array(suffixBytes.length + 1);
    let longestEnd = 0;
    for (let t = 0; t < suffixBytes.length; t++) {
      const words = Math.ceil(suffixBytes[t]! / 4);
      suffixStart[t + 1] = suffixStart[t]! + words;
      longestEnd = Math.max(longestEnd, words);
    }
    const prefixText = format === 'ndjson' ? NDJSON_PREFIX : '';
    const [prefix] = packWords([prefixText]);
    this.tables = { prefix, prefixBytes: prefixText.length, suffix, suffixStart, suffixBytes };
    this.header = Buffer.from(format === 'csv' ? CSV_EVENTS_HEADER : '', 'latin1');
    // in words: the prefix, the address (at most 4 octet stores: 15 bytes + 1 overwritten), the line end
    this.maxEventBytes = this.binary ? 8 : 4 * (prefix.length + 4 + longestEnd);
  }

  /**
   * Encodes events `from`, `from + 1`, … of `batch` into `out` at `offset`, as many as fit (an
   * event is only written whole); returns the index of the first event not written and sets
   * `end` to the offset after the last byte written. Event types must be codes of `eventNames`.
   */
  encode(batch: EventBatch, from: number, out: Uint8Array, offset: number): number {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let next = from;
    let end = offset;
    // events of at most maxEventBytes each surely fit; most lines are shorter, so go on while one more does
    for (;;) {
      const room = Math.floor((out.length - end) / this.maxEventBytes);
      const to = Math.min(batch.count, next + Math.max(0, room));
      if (to === next) break;
      end = this.binary
        ? encodeBinary(batch.addresses, batch.types, next, to, view, end)
        : encodeLines(batch.addresses, batch.types, next, to, view, end, this.tables);
      next = to;
    }
    this.end = end;
    return next;
  }
}

/**
 * What a text line is made of besides the address: the prefix, and type t's line end, words
 * [suffixStart[t], suffixStart[t + 1]) of `suffix` holding suffixBytes[t] bytes.
 */
interface LineTables {
  readonly prefix: Int32Array;
  readonly prefixBytes: number;
  readonly suffix: Int32Array;
  readonly suffixStart: Int32Array;
  readonly suffixBytes: Int32Array;
}

/** Text lines: prefix, dotted address, the type's line end. The caller checked there is room. */
function encodeLines(
  addresses: Uint32Array,
  types: Uint8Array,
  from: number,
  to: number,
  view: DataView,
  offset: number,
  tables: LineTables,
): number {
  const { prefix, prefixBytes, suffix, suffixStart, suffixBytes } = tables;
  const prefixWords = prefix.length;
  const octetDot = OCTET_DOT;
  const octetDotBytes = OCTET_DOT_BYTES;
  let p = offset;
  for (let i = from; i < to; i++) {
    for (let k = 0; k < prefixWords; k++) view.setInt32(p + 4 * k, prefix[k]!, true);
    p += prefixBytes;
    const address = addresses[i]!;
    let octet = address >>> 24;
    view.setInt32(p, octetDot[octet]!, true);
    p += octetDotBytes[octet]!;
    octet = (address >>> 16) & 255;
    view.setInt32(p, octetDot[octet]!, true);
    p += octetDotBytes[octet]!;
    octet = (address >>> 8) & 255;
    view.setInt32(p, octetDot[octet]!, true);
    p += octetDotBytes[octet]!;
    octet = address & 255;
    view.setInt32(p, octetDot[octet]!, true);
    // the last octet's dot is overwritten by the line end
    p += octetDotBytes[octet]! - 1;
    const type = types[i]!;
    const last = suffixStart[type + 1]!;
    for (let k = suffixStart[type]!, q = p; k < last; k++, q += 4) view.setInt32(q, suffix[k]!, true);
    p += suffixBytes[type]!;
  }
  return p;
}

/** Flink's records: address and type ordinal as little-endian int32. */
function encodeBinary(
  addresses: Uint32Array,
  types: Uint8Array,
  from: number,
  to: number,
  view: DataView,
  offset: number,
): number {
  let p = offset;
  for (let i = from; i < to; i++) {
    view.setUint32(p, addresses[i]!, true);
    view.setUint32(p + 4, types[i]!, true);
    p += 8;
  }
  return p;
}
