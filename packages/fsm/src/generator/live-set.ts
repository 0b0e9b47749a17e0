const EMPTY = 0xffffffff;

/**
 * The addresses of the generator's live machines (≤ ~1000): open addressing with linear probing
 * and backward-shift deletion, so membership stays O(1) without tombstones. 0xFFFFFFFF
 * (255.255.255.255) marks an empty slot; the generator never draws it (ranges end below 2^32 - 1).
 */
export class LiveAddressSet {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(capacityPowerOfTwo = 4096) {
    this.slots = new Uint32Array(capacityPowerOfTwo).fill(EMPTY);
    this.mask = capacityPowerOfTwo - 1;
  }

  private home(address: number): number {
    return (Math.imul(address, 0x9e3779b1) >>> 20) & this.mask;
  }

  has(address: number): boolean {
    for (let i = this.home(address); ; i = (i + 1) & this.mask) {
      const slot = this.slots[i]!;
      if (slot === address) return true;
      if (slot === EMPTY) return false;
    }
  }

  add(address: number): void {
    let i = this.home(address);
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = address;
  }

  delete(address: number): void {
    const { slots, mask } = this;
    let i = this.home(address);
    while (slots[i] !== address) {
      if (slots[i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    let hole = i;
    for (let j = (i + 1) & mask; slots[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.home(slots[j]!);
      const distanceToHole = (hole - home) & mask;
      const distanceToJ = (j - home) & mask;
      if (distanceToHole < distanceToJ) {
        slots[hole] = slots[j]!;
        hole = j;
      }
    }
    slots[hole] = EMPTY;
  }
}
