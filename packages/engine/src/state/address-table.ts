const EMPTY = 0;
const MIN_CAPACITY = 16;

/**
 * An open-addressing hash table from address (uint32) to a byte value in 1..255, in typed arrays:
 * no object per key. Linear probing with backward-shift deletion (no tombstones), Fibonacci hashing,
 * grows at 50% load. A stored value of 0 marks an empty slot, so callers store `state + 1`.
 */
export class AddressTable {
  private keys: Uint32Array;
  private values: Uint8Array;
  private shift: number;
  private mask: number;
  private size = 0;

  constructor(capacity = MIN_CAPACITY) {
    const bits = Math.max(4, Math.ceil(Math.log2(capacity)));
    this.keys = new Uint32Array(1 << bits);
    this.values = new Uint8Array(1 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
  }

  get count(): number {
    return this.size;
  }

  get capacity(): number {
    return this.keys.length;
  }

  /** The value stored for `address`, or 0 when absent. */
  get(address: number): number {
    const { keys, values, mask } = this;
    for (let i = Math.imul(address, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const value = values[i]!;
      if (value === EMPTY || keys[i] === address) return value;
    }
  }

  /**
   * The slot holding `address` (≥ 0), or `-(slot + 1)` for the empty slot where it would go. With
   * valueAt / replaceAt / insertAt / removeAt, a read-modify-write probes the table once.
   */
  find(address: number): number {
    const { keys, values, mask } = this;
    for (let i = Math.imul(address, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      if (values[i] === EMPTY) return -(i + 1);
      if (keys[i] === address) return i;
    }
  }

  valueAt(slot: number): number {
    return this.values[slot]!;
  }

  /** Sets the value of an occupied slot (from find). */
  replaceAt(slot: number, value: number): void {
    this.values[slot] = value;
  }

  /** Inserts at the empty slot `find` returned (as `-(slot + 1)`); no other change in between. */
  insertAt(encodedSlot: number, address: number, value: number): void {
    const slot = -encodedSlot - 1;
    this.keys[slot] = address;
    this.values[slot] = value;
    if (++this.size * 2 > this.keys.length) this.resize(this.keys.length * 2);
  }

  /** Stores `value` (1..255) for `address`. */
  set(address: number, value: number): void {
    const { keys, values, mask } = this;
    let i = Math.imul(address, 0x9e3779b1) >>> this.shift;
    while (values[i] !== EMPTY) {
      if (keys[i] === address) {
        values[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = address;
    values[i] = value;
    if (++this.size * 2 > keys.length) this.resize(keys.length * 2);
  }

  delete(address: number): boolean {
    const slot = this.find(address);
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  /** Empties an occupied slot, shifting back the entries of its probe run (no tombstones). */
  removeAt(i: number): void {
    const { keys, values, mask, shift } = this;
    let hole = i;
    for (let j = (i + 1) & mask; values[j] !== EMPTY; j = (j + 1) & mask) {
      const home = Math.imul(keys[j]!, 0x9e3779b1) >>> shift;
      if (((hole - home) & mask) < ((j - home) & mask)) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    values[hole] = EMPTY;
    this.size--;
  }

  /** Calls `visit(address, value)` for every entry, in slot order. */
  forEach(visit: (address: number, value: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.values[i] !== EMPTY) visit(this.keys[i]!, this.values[i]!);
    }
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const bits = Math.log2(capacity);
    this.keys = new Uint32Array(capacity);
    this.values = new Uint8Array(capacity);
    this.shift = 32 - bits;
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] !== EMPTY) this.set(oldKeys[i]!, oldValues[i]!);
    }
  }
}
