import type { CompiledMachine } from '../machine/compile.js';
import { LiveAddressSet } from './live-set.js';
import { Sfc32 } from './prng.js';

/** Flink's generator keeps up to this many machines alive (EventsGenerator). */
export const MAX_LIVE_MACHINES = 1000;
const POOL = 1024;
/** Live machines are slots listed in order in [head, tail) of a linear array, compacted when full. */
const ORDER_CAPACITY = 1 << 16;
const MAX_SKIP = 20;
/** PRNG state (4 × uint32) and the live machine count. */
const SNAPSHOT_HEADER_BYTES = 20;

export interface SplitGeneratorOptions {
  seed: number;
  /** First address of the split's range. */
  minAddress: number;
  /** One past the last address; the range must hold at least one address. */
  maxAddress: number;
  /** Probability of emitting an invalid event for a live machine (which is then dropped). */
  errorRate: number;
}

/**
 * One split of the event generator: Apache Flink's EventsGenerator algorithm over typed arrays.
 * Live machines are kept in insertion order in a ring; per event, with p drawn uniformly, a new
 * machine starts if `p * 1000 >= live`, otherwise `min(20, rand(live))` machines are skipped and the
 * next one advances (or, if `p < errorRate`, emits an invalid event and is dropped).
 */
export class SplitGenerator {
  private readonly random: Sfc32;
  private readonly slotAddress = new Uint32Array(POOL);
  private readonly slotState = new Uint8Array(POOL);
  private readonly freeSlots = Uint16Array.from({ length: POOL }, (_, i) => POOL - 1 - i);
  private freeCount = POOL;
  /** Slots of the live machines in insertion order: order[head..tail). */
  private readonly order = new Uint16Array(ORDER_CAPACITY);
  private head = 0;
  private tail = 0;
  private readonly liveSet = new LiveAddressSet();

  constructor(
    private readonly machine: CompiledMachine,
    private readonly options: SplitGeneratorOptions,
  ) {
    if (!(options.maxAddress > options.minAddress)) {
      throw new RangeError(`empty address range [${options.minAddress}, ${options.maxAddress})`);
    }
    this.random = new Sfc32(options.seed);
  }

  /** Writes `count` events into the arrays starting at `offset`. */
  fill(addresses: Uint32Array, types: Uint8Array, offset: number, count: number): void {
    const { random, slotAddress, slotState, liveSet, machine } = this;
    const { choices, terminal, initial } = machine;
    const { minAddress, errorRate } = this.options;
    const range = this.options.maxAddress - minAddress;
    const end = offset + count;
    let i = offset;
    while (i < end) {
      const p = random.nextDouble();
      const live = this.tail - this.head;
      if (p * MAX_LIVE_MACHINES >= live) {
        const address = minAddress + random.nextInt(range);
        if (liveSet.has(address)) continue;
        const choice = choices[initial]!;
        const k = pick(choice.cumulative, random.nextDouble());
        const next = choice.targets[k]!;
        if (terminal[next] === 0) {
          liveSet.add(address);
          const slot = this.freeSlots[--this.freeCount]!;
          slotAddress[slot] = address;
          slotState[slot] = next;
          this.append(slot);
        }
        addresses[i] = address;
        types[i] = choice.events[k]!;
        i++;
        continue;
      }
      const slot = this.takeAfterSkipping(Math.min(MAX_SKIP, random.nextInt(live)));
      const address = slotAddress[slot]!;
      const choice = choices[slotState[slot]!]!;
      addresses[i] = address;
      let released = true;
      if (p < errorRate && choice.invalidEvents.length > 0) {
        types[i] = choice.invalidEvents[random.nextInt(choice.invalidEvents.length)]!;
      } else {
        const k = pick(choice.cumulative, random.nextDouble());
        const next = choice.targets[k]!;
        types[i] = choice.events[k]!;
        if (terminal[next] === 0) {
          slotState[slot] = next;
          this.append(slot);
          released = false;
        }
      }
      if (released) {
        liveSet.delete(address);
        this.freeSlots[this.freeCount++] = slot;
      }
      i++;
    }
  }

  get liveMachines(): number {
    return this.tail - this.head;
  }

  /**
   * The split's position, for checkpoints: the PRNG state, then the live machines in order as
   * (address uint32, state uint8). Slot numbers are storage only, so they are not kept.
   */
  snapshot(): Uint8Array {
    const live = this.tail - this.head;
    const bytes = new Uint8Array(SNAPSHOT_HEADER_BYTES + live * 5);
    const view = new DataView(bytes.buffer);
    this.random.snapshot().forEach((word, i) => {
      view.setUint32(i * 4, word, true);
    });
    view.setUint32(16, live, true);
    for (let j = 0; j < live; j++) {
      const slot = this.order[this.head + j]!;
      view.setUint32(SNAPSHOT_HEADER_BYTES + j * 4, this.slotAddress[slot]!, true);
      bytes[SNAPSHOT_HEADER_BYTES + live * 4 + j] = this.slotState[slot]!;
    }
    return bytes;
  }

  /** Continues from a snapshot taken by a split with the same machine and options. */
  restore(bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const live = bytes.byteLength >= SNAPSHOT_HEADER_BYTES ? view.getUint32(16, true) : -1;
    if (live < 0 || live > POOL || bytes.byteLength !== SNAPSHOT_HEADER_BYTES + live * 5) {
      throw new RangeError('generator split snapshot is malformed');
    }
    const words = [0, 1, 2, 3].map((i) => view.getUint32(i * 4, true));
    this.random.restore(words as [number, number, number, number]);
    for (let j = 0; j < this.tail - this.head; j++)
      this.liveSet.delete(this.slotAddress[this.order[this.head + j]!]!);
    this.head = 0;
    this.tail = 0;
    this.freeCount = 0;
    for (let slot = POOL - 1; slot >= live; slot--) this.freeSlots[this.freeCount++] = slot;
    for (let j = 0; j < live; j++) {
      const address = view.getUint32(SNAPSHOT_HEADER_BYTES + j * 4, true);
      this.slotAddress[j] = address;
      this.slotState[j] = bytes[SNAPSHOT_HEADER_BYTES + live * 4 + j]!;
      this.liveSet.add(address);
      this.order[this.tail++] = j;
    }
  }

  private append(slot: number): void {
    if (this.tail === ORDER_CAPACITY) {
      this.order.copyWithin(0, this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    this.order[this.tail++] = slot;
  }

  /** Removes and returns the slot `skip` places after the head, keeping the others in order. */
  private takeAfterSkipping(skip: number): number {
    const { order, head } = this;
    const slot = order[head + skip]!;
    for (let j = head + skip; j > head; j--) order[j] = order[j - 1]!;
    this.head = head + 1;
    return slot;
  }
}

/** Index of the first cumulative probability above `r`. */
function pick(cumulative: Float64Array, r: number): number {
  const last = cumulative.length - 1;
  for (let k = 0; k < last; k++) {
    if (r < cumulative[k]!) return k;
  }
  return last;
}
