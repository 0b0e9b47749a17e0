const EMPTY = 0;
const MIN_CAPACITY = 16;
/** In a transition table, the code for "reject the event, keep the value". */
export const REJECT_TRANSITION = 0x100;
/** Events per run of `applyTransitions`: the table grows (if it must) only between runs. */
const TRANSITION_RUN = 4096;

/**
 * An open-addressing hash table from address (uint32) to a byte value in 1..255, in typed arrays:
 * no object per key. Linear probing with backward-shift deletion (no tombstones), Fibonacci hashing,
 * grows at 50% load. A stored value of 0 marks an empty slot, so callers store `state + 1`.
 * With `stamped`, each entry also carries a float64 stamp (e.g. when it was last seen, for TTL).
 *
 * Hash indexes are masked (`& mask`) so they stay int32 for V8: an unmasked `>>>` result is
 * uint32, which turns the probe index into a float64.
 */
export class AddressTable {
  private keys: Uint32Array;
  private values: Uint8Array;
  private stamps: Float64Array | undefined;
  private shift: number;
  private mask: number;
  private size = 0;

  constructor(capacity = MIN_CAPACITY, stamped = false) {
    const bits = Math.max(4, Math.ceil(Math.log2(capacity)));
    this.keys = new Uint32Array(1 << bits);
    this.values = new Uint8Array(1 << bits);
    this.stamps = stamped ? new Float64Array(1 << bits) : undefined;
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
    for (let i = (Math.imul(address, 0x9e3779b1) >>> this.shift) & mask; ; i = (i + 1) & mask) {
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
    for (let i = (Math.imul(address, 0x9e3779b1) >>> this.shift) & mask; ; i = (i + 1) & mask) {
      if (values[i] === EMPTY) return -(i + 1);
      if (keys[i] === address) return i;
    }
  }

  valueAt(slot: number): number {
    return this.values[slot]!;
  }

  /** The stamp of an occupied slot (0 unless the table is stamped and it was set). */
  stampAt(slot: number): number {
    return this.stamps?.[slot] ?? 0;
  }

  setStampAt(slot: number, stamp: number): void {
    if (this.stamps !== undefined) this.stamps[slot] = stamp;
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

  /** Stores `value` (1..255) for `address` (and its stamp, in a stamped table); returns its slot. */
  set(address: number, value: number, stamp = 0): number {
    const { keys, values, mask } = this;
    let i = (Math.imul(address, 0x9e3779b1) >>> this.shift) & mask;
    while (values[i] !== EMPTY) {
      if (keys[i] === address) {
        values[i] = value;
        this.setStampAt(i, stamp);
        return i;
      }
      i = (i + 1) & mask;
    }
    keys[i] = address;
    values[i] = value;
    this.setStampAt(i, stamp);
    if (++this.size * 2 <= keys.length) return i;
    this.resize(keys.length * 2);
    return this.find(address);
  }

  delete(address: number): boolean {
    const slot = this.find(address);
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  /** Empties an occupied slot, shifting back the entries of its probe run (no tombstones). */
  removeAt(i: number): void {
    const { keys, values, stamps, mask, shift } = this;
    let hole = i;
    for (let j = (i + 1) & mask; values[j] !== EMPTY; j = (j + 1) & mask) {
      const home = (Math.imul(keys[j]!, 0x9e3779b1) >>> shift) & mask;
      if (((hole - home) & mask) < ((j - home) & mask)) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        if (stamps !== undefined) stamps[hole] = stamps[j]!;
        hole = j;
      }
    }
    values[hole] = EMPTY;
    this.size--;
  }

  /**
   * Applies a transition table to keyed events `i` in [0, count): with `value` the key's stored
   * value (0 when absent) and `next = transitions[(value << 8) | codes[i]]`, 0 removes the key,
   * REJECT_TRANSITION leaves it unchanged and records the event (its index in `rejectedAt`, the
   * value it met in `rejectedValue`, both needing room for `count`), any other next value is
   * stored. Returns the number of rejected events. Unstamped tables only.
   */
  applyTransitions(
    keys: Uint32Array,
    codes: Uint8Array,
    count: number,
    transitions: Uint16Array,
    rejectedAt: Uint32Array,
    rejectedValue: Uint8Array,
  ): number {
    if (this.stamps !== undefined) throw new Error('applyTransitions needs an unstamped table');
    if (rejectedAt.length < count || rejectedValue.length < count) {
      throw new RangeError(`room for ${count} rejected events needed`);
    }
    let rejected = 0;
    for (let start = 0; start < count; start += TRANSITION_RUN) {
      const end = Math.min(count, start + TRANSITION_RUN);
      this.reserve(end - start);
      rejected = this.transitionRun(
        keys,
        codes,
        start,
        end,
        transitions,
        rejectedAt,
        rejectedValue,
        rejected,
      );
    }
    return rejected;
  }

  /**
   * The hot loop of applyTransitions, for a run that cannot fill the table past 50%. It calls
   * nothing: a call anywhere in a loop makes V8 re-check every array on every iteration.
   */
  private transitionRun(
    keys: Uint32Array,
    codes: Uint8Array,
    start: number,
    end: number,
    transitions: Uint16Array,
    rejectedAt: Uint32Array,
    rejectedValue: Uint8Array,
    rejectedSoFar: number,
  ): number {
    // Fields are read once, into locals; EMPTY (0) and REJECT_TRANSITION (0x100) are written as
    // literals: a module constant is re-loaded and re-checked on every iteration.
    const { keys: own, values } = this;
    const mask = this.mask | 0;
    const shift = this.shift | 0;
    const stop = end | 0;
    let size = this.size | 0;
    let rejected = rejectedSoFar | 0;
    for (let i = start | 0; i < stop; i++) {
      const key = keys[i]!;
      const code = codes[i]!;
      let slot = (Math.imul(key, 0x9e3779b1) >>> shift) & mask;
      let value = values[slot]!;
      while (value !== 0 && own[slot] !== key) {
        slot = (slot + 1) & mask;
        value = values[slot]!;
      }
      const next = transitions[(value << 8) | code]!;
      if (next === value) continue;
      if (next === 0x100) {
        rejectedAt[rejected] = i;
        rejectedValue[rejected] = value;
        rejected++;
      } else if (value === 0) {
        own[slot] = key;
        values[slot] = next;
        size++;
      } else if (next !== 0) {
        values[slot] = next;
      } else {
        // Backward-shift deletion, as in removeAt (written out: see above).
        let hole = slot;
        for (let j = (slot + 1) & mask; values[j] !== 0; j = (j + 1) & mask) {
          const home = (Math.imul(own[j]!, 0x9e3779b1) >>> shift) & mask;
          if (((hole - home) & mask) < ((j - home) & mask)) {
            own[hole] = own[j]!;
            values[hole] = values[j]!;
            hole = j;
          }
        }
        values[hole] = 0;
        size--;
      }
    }
    this.size = size;
    return rejected;
  }

  /** Calls `visit(address, value, stamp)` for every entry, in slot order. */
  forEach(visit: (address: number, value: number, stamp: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.values[i] !== EMPTY) visit(this.keys[i]!, this.values[i]!, this.stamps?.[i] ?? 0);
    }
  }

  /**
   * Writes every entry into the columns from index `offset` on (values as stored, i.e. `state + 1`),
   * in slot order; returns the index after the last one written.
   */
  copyEntries(
    keys: Uint32Array,
    values: Uint32Array,
    stamps: Float64Array | undefined,
    offset: number,
  ): number {
    let n = offset;
    const own = this.values;
    for (let i = 0; i < own.length; i++) {
      if (own[i] === EMPTY) continue;
      keys[n] = this.keys[i]!;
      values[n] = own[i]!;
      if (stamps !== undefined) stamps[n] = this.stamps?.[i] ?? 0;
      n++;
    }
    return n;
  }

  /** Grows the table ahead of `count` more insertions, so a bulk load resizes at most once. */
  reserve(count: number): void {
    let capacity = this.keys.length;
    while ((this.size + count) * 2 > capacity) capacity *= 2;
    if (capacity > this.keys.length) this.resize(capacity);
  }

  /** Removes every entry for which `expired(stamp)` holds; returns how many it removed. */
  removeWhere(expired: (stamp: number) => boolean): number {
    const { stamps, values } = this;
    if (stamps === undefined) return 0;
    let removed = 0;
    for (let i = 0; i < values.length; ) {
      // A removal shifts a later entry into slot i, so look at slot i again.
      if (values[i] !== EMPTY && expired(stamps[i]!)) {
        this.removeAt(i);
        removed++;
      } else {
        i++;
      }
    }
    return removed;
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldStamps = this.stamps;
    const bits = Math.log2(capacity);
    this.keys = new Uint32Array(capacity);
    this.values = new Uint8Array(capacity);
    this.stamps = oldStamps === undefined ? undefined : new Float64Array(capacity);
    this.shift = 32 - bits;
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] !== EMPTY) this.set(oldKeys[i]!, oldValues[i]!, oldStamps?.[i] ?? 0);
    }
  }
}
