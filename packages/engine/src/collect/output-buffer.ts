import type { OutputColumns } from '../batch.js';

/** Growable output columns; an operator appends, the runtime takes the filled columns. */
export class OutputBuffer {
  private positions: Uint32Array;
  private keys: Uint32Array;
  private codes: Uint32Array;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.positions = new Uint32Array(initialCapacity);
    this.keys = new Uint32Array(initialCapacity);
    this.codes = new Uint32Array(initialCapacity);
  }

  get count(): number {
    return this.length;
  }

  push(position: number, key: number, code: number): void {
    if (this.length === this.positions.length) this.grow();
    this.positions[this.length] = position;
    this.keys[this.length] = key;
    this.codes[this.length] = code;
    this.length++;
  }

  /** Hands out exact-size copies (transferable on their own) and empties the buffer. */
  take(): OutputColumns {
    const n = this.length;
    this.length = 0;
    return {
      count: n,
      positions: this.positions.slice(0, n),
      keys: this.keys.slice(0, n),
      codes: this.codes.slice(0, n),
    };
  }

  private grow(): void {
    const capacity = Math.max(16, this.positions.length * 2);
    const grown = (from: Uint32Array) => {
      const to = new Uint32Array(capacity);
      to.set(from);
      return to;
    };
    this.positions = grown(this.positions);
    this.keys = grown(this.keys);
    this.codes = grown(this.codes);
  }
}
