import { DOT, MINUS, NINE, ZERO } from '../sources/ascii.js';

/** The largest IPv4 address as a uint32. */
export const MAX_ADDRESS = 0xffffffff;

/** Dotted IPv4 form of a uint32 address, as Flink's Event.formatAddress writes it. */
export function formatAddress(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** The address in bytes[start, end): ≥ 0, or -1 when malformed, -2 when out of range. */
export function parseAddress(bytes: Uint8Array, start: number, end: number): number {
  if (start === end) return -1;
  let dots = 0;
  for (let i = start; i < end; i++) if (bytes[i] === DOT) dots++;
  if (dots === 0) {
    const negative = bytes[start] === MINUS;
    let i = negative ? start + 1 : start;
    if (i === end) return -1;
    let value = 0;
    for (; i < end; i++) {
      const d = bytes[i]! - ZERO;
      if (d < 0 || d > 9) return -1;
      value = value * 10 + d;
    }
    return negative || value > MAX_ADDRESS ? -2 : value;
  }
  if (dots !== 3) return -1;
  let address = 0;
  let octet = 0;
  let digits = 0;
  let outOfRange = false;
  for (let i = start; i <= end; i++) {
    const byte = i === end ? DOT : bytes[i]!;
    if (byte === DOT) {
      if (digits === 0) return -1;
      if (octet > 255) outOfRange = true;
      address = address * 256 + (octet & 255);
      octet = 0;
      digits = 0;
    } else if (byte >= ZERO && byte <= NINE) {
      if (++digits > 3) return -1;
      octet = octet * 10 + (byte - ZERO);
    } else {
      return -1;
    }
  }
  return outOfRange ? -2 : address;
}
