import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../src/collect/output-buffer.js';

describe('OutputBuffer', () => {
  it('grows past its initial capacity many times and keeps every record', () => {
    for (const initial of [1, 2, 3, 256]) {
      const out = new OutputBuffer(initial);
      const n = 10_000;
      for (let i = 0; i < n; i++) out.push(i, (i * 2654435761) >>> 0, 0xffffffff - i);
      expect(out.count).toBe(n);
      const taken = out.take();
      expect(taken.count).toBe(n);
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        if (
          taken.positions[i] !== i ||
          taken.keys[i] !== (i * 2654435761) >>> 0 ||
          taken.codes[i] !== 0xffffffff - i
        )
          wrong++;
      }
      expect(wrong).toBe(0);
    }
  });

  it('take hands out exact-size columns with buffers of their own, and empties the buffer', () => {
    const out = new OutputBuffer(4);
    out.push(1, 10, 100);
    out.push(2, 20, 200);
    out.push(5, 50, 500);
    const taken = out.take();
    expect(out.count).toBe(0);
    expect(taken.count).toBe(3);
    expect(Array.from(taken.positions)).toEqual([1, 2, 5]);
    expect(Array.from(taken.keys)).toEqual([10, 20, 50]);
    expect(Array.from(taken.codes)).toEqual([100, 200, 500]);
    // Transferable on their own: each column owns an exact-size buffer.
    for (const column of [taken.positions, taken.keys, taken.codes]) {
      expect(column.byteOffset).toBe(0);
      expect(column.buffer.byteLength).toBe(3 * 4);
    }
    expect(new Set([taken.positions.buffer, taken.keys.buffer, taken.codes.buffer]).size).toBe(3);

    const again = out.take();
    expect(again.count).toBe(0);
    expect(again.positions.length).toBe(0);
  });

  it('is reusable after take, and what was taken does not change', () => {
    const out = new OutputBuffer(2);
    out.push(7, 70, 700);
    const first = out.take();
    out.push(8, 80, 800);
    out.push(9, 90, 900);
    out.push(10, 100, 1000);
    const second = out.take();
    expect(Array.from(first.positions)).toEqual([7]);
    expect(Array.from(first.keys)).toEqual([70]);
    expect(Array.from(first.codes)).toEqual([700]);
    expect(Array.from(second.positions)).toEqual([8, 9, 10]);
    expect(Array.from(second.codes)).toEqual([800, 900, 1000]);
  });

  it('stores full uint32 values', () => {
    const out = new OutputBuffer();
    out.push(0xffffffff, 0xffffffff, 0xffffffff);
    out.push(0, 0, 0);
    const taken = out.take();
    expect(Array.from(taken.keys)).toEqual([0xffffffff, 0]);
    expect(Array.from(taken.positions)).toEqual([0xffffffff, 0]);
  });

  it('works from an initial capacity of 0', () => {
    const out = new OutputBuffer(0);
    out.push(1, 10, 100);
    out.push(2, 20, 200);
    const taken = out.take();
    expect(taken.count).toBe(2);
    expect(Array.from(taken.positions)).toEqual([1, 2]);
    expect(Array.from(taken.keys)).toEqual([10, 20]);
    expect(Array.from(taken.codes)).toEqual([100, 200]);
  });
});
