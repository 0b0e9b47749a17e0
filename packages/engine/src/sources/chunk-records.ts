import { NEWLINE } from './ascii.js';
import { MAX_LINE_BYTES } from './line-parser.js';
import type { Framing } from './record-format.js';

/**
 * The records a chunk owns: bytes[first, last) of a window that starts at input offset `readStart`.
 * `overlong`: the chunk's last record runs past the window (a line longer than MAX_LINE_BYTES);
 * the bytes after `last` are its beginning.
 */
export interface ChunkRecords {
  bytes: Uint8Array;
  readStart: number;
  first: number;
  last: number;
  overlong: boolean;
}

/**
 * The chunk size for a format: for fixed-size records it is rounded up to a multiple of the record
 * size, so chunks start on record starts.
 */
export function chunkBytesFor(framing: Framing, chunkBytes: number): number {
  if (framing.kind !== 'fixed') return chunkBytes;
  return Math.max(1, Math.ceil(chunkBytes / framing.recordBytes)) * framing.recordBytes;
}

/**
 * The bytes [start, end) of an input of `size` bytes that decide chunk `chunk`'s records. Lines: the
 * byte before the chunk (is a line starting at its first byte?) to a maximal line past its end.
 * `size` may be Infinity for an input whose end is beyond the window.
 */
export function chunkWindow(
  framing: Framing,
  chunk: number,
  chunkBytes: number,
  size: number,
): { start: number; end: number } {
  const nominalStart = chunk * chunkBytes;
  const nominalEnd = Math.min(size, nominalStart + chunkBytes);
  if (framing.kind === 'fixed') return { start: nominalStart, end: nominalEnd };
  return { start: chunk === 0 ? 0 : nominalStart - 1, end: Math.min(size, nominalEnd + MAX_LINE_BYTES + 1) };
}

/**
 * Chunk k holds the records that start in bytes [k·chunkBytes, (k+1)·chunkBytes) of the input.
 * `window` is the input's bytes chunkWindow(...) (fewer only where the input ends), from `readStart`.
 */
export function chunkRecords(
  framing: Framing,
  chunk: number,
  chunkBytes: number,
  size: number,
  window: Uint8Array,
  readStart: number,
): ChunkRecords {
  if (framing.kind === 'fixed') {
    return { bytes: window, readStart, first: 0, last: window.length, overlong: false };
  }
  const nominalEnd = Math.min(size, chunk * chunkBytes + chunkBytes);
  // A line record starts at offset 0 or right after a newline, before the chunk's end.
  let first = 0;
  if (chunk > 0) {
    const newline = window.indexOf(NEWLINE);
    first = newline === -1 ? window.length : newline + 1;
  }
  const ownedEnd = nominalEnd - readStart;
  let last = first;
  if (first < ownedEnd) {
    const newline = window.indexOf(NEWLINE, ownedEnd - 1);
    if (newline !== -1) last = newline + 1;
    else if (readStart + window.length >= size) last = window.length;
    else last = window.lastIndexOf(NEWLINE, ownedEnd - 1) + 1 || first;
  }
  return { bytes: window, readStart, first, last, overlong: last < ownedEnd };
}
