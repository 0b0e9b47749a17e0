import type { EventBatch } from '../batch.js';
import { MAX_ADDRESS, parseAddress } from '../formats/ipv4.js';
import { BACKSLASH, CR, DOT, NINE, QUOTE, SPACE, TAB, ZERO } from './ascii.js';
import type { EventLookup } from './event-lookup.js';
import { LineParser } from './line-parser.js';
import type { RejectLedger, RejectReason } from './reject.js';

const ADDRESS_PREFIX = Buffer.from('{"address":"');
const TYPE_PREFIX = Buffer.from('","type":"');
const decoder = new TextDecoder();

/** Upper bound of NDJSON events in `bytes` bytes: a valid record takes at least 23 bytes. */
export function maxNdjsonEventsIn(bytes: number): number {
  return Math.floor(bytes / 16) + 1;
}

/** JSON whitespace that can occur inside a line. */
const isBlank = (byte: number) => byte === SPACE || byte === TAB || byte === CR;

/**
 * Parses NDJSON events, one object per line: `{"address":"10.0.0.1","type":"a"}`; the address a
 * dotted IPv4 string (or a string of decimal digits, as in CSV) or an integer 0..4294967295, the
 * type one of the event names; other fields are ignored. LF or CRLF line ends. The canonical shape
 * is read straight from the bytes; any other line is read with JSON.parse, to the same effect.
 */
export class NdjsonParser extends LineParser {
  private readonly codes: Map<string, number>;

  constructor(events: EventLookup, rejects: RejectLedger) {
    super(events, rejects);
    this.codes = new Map(events.names.map((name, code) => [name, code]));
  }

  protected parseLine(
    bytes: Uint8Array,
    start: number,
    stop: number,
    batch: EventBatch,
  ): RejectReason | undefined {
    let s = start;
    let e = stop;
    while (s < e && isBlank(bytes[s]!)) s++;
    while (e > s && isBlank(bytes[e - 1]!)) e--;
    if (s === e) return 'empty-line';
    const fast = this.parseCanonical(bytes, s, e, batch);
    return fast === false ? this.parseJson(bytes, s, e, batch) : fast;
  }

  /**
   * The exact shape `{"address":"<digits and dots>","type":"<plain ASCII>"}`: its event or reject
   * reason; false when the line has another shape.
   */
  private parseCanonical(
    bytes: Uint8Array,
    start: number,
    stop: number,
    batch: EventBatch,
  ): RejectReason | undefined | false {
    let i = matchAt(bytes, start, stop, ADDRESS_PREFIX);
    if (i < 0) return false;
    const a0 = i;
    while (i < stop && ((bytes[i]! >= ZERO && bytes[i]! <= NINE) || bytes[i] === DOT)) i++;
    const a1 = i;
    i = matchAt(bytes, i, stop, TYPE_PREFIX);
    if (i < 0) return false;
    const t0 = i;
    while (i < stop) {
      const byte = bytes[i]!;
      if (byte === QUOTE || byte === BACKSLASH || byte < SPACE || byte >= 0x80) break;
      i++;
    }
    const t1 = i;
    if (t1 === t0 || i + 2 !== stop || bytes[i] !== QUOTE || bytes[i + 1] !== 0x7d) return false;
    const address = parseAddress(bytes, a0, a1);
    if (address < 0) return address === -2 ? 'address-out-of-range' : 'bad-address';
    const type = this.events.find(bytes, t0, t1);
    if (type < 0) return 'unknown-event';
    const n = batch.count++;
    batch.addresses[n] = address;
    batch.types[n] = type;
    return undefined;
  }

  /** Any other line, read with JSON.parse. */
  private parseJson(
    bytes: Uint8Array,
    start: number,
    stop: number,
    batch: EventBatch,
  ): RejectReason | undefined {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(bytes.subarray(start, stop)));
    } catch {
      return 'not-json';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not-an-object';
    if (!Object.hasOwn(value, 'address') || !Object.hasOwn(value, 'type')) return 'missing-field';
    const record = value as { address: unknown; type: unknown };
    const address = addressOf(record.address);
    if (address < 0) return address === -2 ? 'address-out-of-range' : 'bad-address';
    const type = typeof record.type === 'string' ? this.codes.get(record.type) : undefined;
    if (type === undefined) return 'unknown-event';
    const n = batch.count++;
    batch.addresses[n] = address;
    batch.types[n] = type;
    return undefined;
  }
}

/** The index after `literal` when bytes[at, stop) starts with it, else -1. */
function matchAt(bytes: Uint8Array, at: number, stop: number, literal: Uint8Array): number {
  if (stop - at < literal.length) return -1;
  for (let i = 0; i < literal.length; i++) if (bytes[at + i] !== literal[i]) return -1;
  return at + literal.length;
}

/** A JSON address value: ≥ 0, or -1 when malformed, -2 when out of range. */
export function addressOf(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return -1;
    if (value < 0 || value > MAX_ADDRESS) return -2;
    return Number.isInteger(value) ? value : -1;
  }
  if (typeof value !== 'string') return -1;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) return -1;
    bytes[i] = code;
  }
  return parseAddress(bytes, 0, bytes.length);
}
