import type { OutputColumns } from '../batch.js';

const EMPTY: OutputColumns = {
  count: 0,
  positions: new Uint32Array(0),
  keys: new Uint32Array(0),
  codes: new Uint32Array(0),
};

/** Merges outputs that are each sorted by position into one output in position (source) order. */
export function mergeByPosition(parts: readonly OutputColumns[]): OutputColumns {
  const filled = parts.filter((part) => part.count > 0);
  if (filled.length === 0) return EMPTY;
  if (filled.length === 1) return filled[0]!;
  let total = 0;
  for (const part of filled) total += part.count;
  const merged: OutputColumns = {
    count: total,
    positions: new Uint32Array(total),
    keys: new Uint32Array(total),
    codes: new Uint32Array(total),
  };
  const cursors = new Uint32Array(filled.length);
  for (let k = 0; k < total; k++) {
    let best = -1;
    let bestPosition = Number.POSITIVE_INFINITY;
    for (let p = 0; p < filled.length; p++) {
      const part = filled[p]!;
      const cursor = cursors[p]!;
      if (cursor < part.count && part.positions[cursor]! < bestPosition) {
        bestPosition = part.positions[cursor]!;
        best = p;
      }
    }
    const from = filled[best]!;
    const at = cursors[best]!++;
    merged.positions[k] = from.positions[at]!;
    merged.keys[k] = from.keys[at]!;
    merged.codes[k] = from.codes[at]!;
  }
  return merged;
}
