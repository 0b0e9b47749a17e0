import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutputColumns } from '../src/batch.js';
import { mergeByPosition } from '../src/collect/merge.js';
import { columns } from './helpers.js';

const rows = (c: OutputColumns) =>
  Array.from({ length: c.count }, (_, i) => [c.positions[i]!, c.keys[i]!, c.codes[i]!] as const);

describe('mergeByPosition', () => {
  it('merges parts sorted by position into position order, keeping each part’s order on ties', () => {
    fc.assert(
      fc.property(
        // Outputs of one chunk: each event position (distinct) belongs to one of k parts and has
        // 1..3 outputs (same position, in part order); some parts are empty.
        fc.integer({ min: 1, max: 6 }).chain((k) =>
          fc.tuple(
            fc.constant(k),
            fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 200 }),
            fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), {
              minLength: 200,
              maxLength: 200,
            }),
          ),
        ),
        ([k, positions, choices]) => {
          const sorted = [...positions].sort((a, b) => a - b);
          const parts = Array.from({ length: k }, () => ({
            positions: [] as number[],
            keys: [] as number[],
            codes: [] as number[],
          }));
          const expected: (readonly [number, number, number])[] = [];
          sorted.forEach((position, i) => {
            const [partChoice, outputs] = choices[i]!;
            const part = parts[partChoice % k]!;
            for (let o = 0; o < outputs; o++) {
              const key = (position * 31 + partChoice) >>> 0;
              const code = i * 10 + o;
              part.positions.push(position);
              part.keys.push(key);
              part.codes.push(code);
              expected.push([position, key, code]);
            }
          });
          const merged = mergeByPosition(parts.map((p) => columns(p.positions, p.keys, p.codes)));
          expect(merged.count).toBe(expected.length);
          expect(rows(merged)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives an empty output for no parts or only empty parts', () => {
    expect(mergeByPosition([]).count).toBe(0);
    const merged = mergeByPosition([columns([]), columns([]), columns([])]);
    expect(merged.count).toBe(0);
    expect(rows(merged)).toEqual([]);
  });

  it('gives a single filled part’s outputs unchanged', () => {
    const only = columns([2, 5, 9], [20, 50, 90], [1, 2, 3]);
    const merged = mergeByPosition([columns([]), only, columns([])]);
    expect(rows(merged)).toEqual([
      [2, 20, 1],
      [5, 50, 2],
      [9, 90, 3],
    ]);
  });

  it('interleaves two parts', () => {
    const merged = mergeByPosition([
      columns([0, 3, 4], [10, 13, 14]),
      columns([1, 2, 5, 6], [11, 12, 15, 16]),
    ]);
    expect(rows(merged).map(([position, key]) => [position, key])).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
      [3, 13],
      [4, 14],
      [5, 15],
      [6, 16],
    ]);
  });

  it('ignores array slots beyond count', () => {
    const a: OutputColumns = {
      count: 1,
      positions: Uint32Array.of(3, 0),
      keys: Uint32Array.of(30, 99),
      codes: Uint32Array.of(1, 99),
    };
    const b: OutputColumns = {
      count: 2,
      positions: Uint32Array.of(1, 5, 2),
      keys: Uint32Array.of(10, 50, 99),
      codes: Uint32Array.of(2, 3, 99),
    };
    expect(rows(mergeByPosition([a, b]))).toEqual([
      [1, 10, 2],
      [3, 30, 1],
      [5, 50, 3],
    ]);
  });
});
