import type { CompiledMachine } from '../machine/compile.js';
import { LiveAddressSet } from './live-set.js';
import { Sfc32 } from './prng.js';

/** Flink's generator keeps up to this many machines alive (EventsGenerator). */
export const MAX_LIVE_MACHINES = 1000;
const POOL = 1024;
/**
 * Live machines are slots in insertion order: the first MAX_SKIP of them in `front`, the rest in
 * [head, tail) of a linear array, compacted when full. A draw takes the machine `skip ≤ MAX_SKIP`
 * places from the start: almost always the first of the rest (O(1)); only a skip below MAX_SKIP
 * shifts part of `front`.
 */
const ORDER_CAPACITY = 1 << 16;
const MAX_SKIP = 20;
const TWO_POW_MINUS_32 = 2 ** -32;
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
  /** Slots of the first min(MAX_SKIP, live) live machines, in insertion order. */
  private readonly front = new Uint16Array(MAX_SKIP);
  private frontCount = 0;
  /** Slots of the other live machines in insertion order: order[head..tail). */
  private readonly order = new Uint16Array(ORDER_CAPACITY);
  private head = 0;
  private tail = 0;
  private readonly liveSet = new LiveAddressSet();
  /** The machine's choices, flattened: state s's transitions are [choiceStart[s], choiceStart[s + 1]). */
  private readonly choiceStart: Uint16Array;
  private readonly choiceEvent: Uint8Array;
  private readonly choiceTarget: Uint8Array;
  private readonly choiceCumulative: Float64Array;
  /** State s's invalid events are [invalidStart[s], invalidStart[s + 1]) of invalidEvent. */
  private readonly invalidStart: Uint16Array;
  private readonly invalidEvent: Uint8Array;

  constructor(
    private readonly machine: CompiledMachine,
    private readonly options: SplitGeneratorOptions,
  ) {
    if (!(options.maxAddress > options.minAddress)) {
      throw new RangeError(`empty address range [${options.minAddress}, ${options.maxAddress})`);
    }
    this.random = new Sfc32(options.seed);
    const { choices } = machine;
    this.choiceStart = new Uint16Array(choices.length + 1);
    this.invalidStart = new Uint16Array(choices.length + 1);
    choices.forEach((choice, state) => {
      this.choiceStart[state + 1] = this.choiceStart[state]! + choice.events.length;
      this.invalidStart[state + 1] = this.invalidStart[state]! + choice.invalidEvents.length;
    });
    this.choiceEvent = Uint8Array.from(choices.flatMap((choice) => [...choice.events]));
    this.choiceTarget = Uint8Array.from(choices.flatMap((choice) => [...choice.targets]));
    this.choiceCumulative = Float64Array.from(choices.flatMap((choice) => [...choice.cumulative]));
    this.invalidEvent = Uint8Array.from(choices.flatMap((choice) => [...choice.invalidEvents]));
  }

  /**
   * Writes `count` events into the arrays starting at `offset`. The PRNG (sfc32, as in Sfc32) and
   * the queue positions live in locals for the loop, written back at the end: the same draws, in
   * the same order, as drawing from the Sfc32 object.
   */
  fill(addresses: Uint32Array, types: Uint8Array, offset: number, count: number): void {
    const { slotAddress, slotState, freeSlots, liveSet, front, order } = this;
    const { choiceStart, choiceEvent, choiceTarget, choiceCumulative, invalidStart, invalidEvent } = this;
    const { terminal, initial } = this.machine;
    const { minAddress, errorRate } = this.options;
    const range = this.options.maxAddress - minAddress;
    const maxLive = MAX_LIVE_MACHINES;
    const initialStart = choiceStart[initial]!;
    const initialLast = choiceStart[initial + 1]! - 1;
    const words = this.random.snapshot();
    let a = words[0] | 0;
    let b = words[1] | 0;
    let c = words[2] | 0;
    let d = words[3] | 0;
    let { frontCount, head, tail, freeCount } = this;
    const end = offset + count;
    let i = offset;
    while (i < end) {
      // p = nextDouble()
      let t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const p = (t >>> 0) * TWO_POW_MINUS_32;
      const live = frontCount + tail - head;
      if (p * maxLive >= live) {
        // address = minAddress + nextInt(range)
        t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        const address = minAddress + Math.floor((t >>> 0) * TWO_POW_MINUS_32 * range);
        if (liveSet.has(address)) continue;
        // k = pick(initial's transitions, nextDouble())
        t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        const r = (t >>> 0) * TWO_POW_MINUS_32;
        let k = initialStart;
        while (k < initialLast && !(r < choiceCumulative[k]!)) k++;
        const next = choiceTarget[k]!;
        if (terminal[next] === 0) {
          liveSet.add(address);
          const slot = freeSlots[--freeCount]!;
          slotAddress[slot] = address;
          slotState[slot] = next;
          if (frontCount < MAX_SKIP) front[frontCount++] = slot;
          else {
            if (tail === ORDER_CAPACITY) {
              order.copyWithin(0, head, tail);
              tail -= head;
              head = 0;
            }
            order[tail++] = slot;
          }
        }
        addresses[i] = address;
        types[i] = choiceEvent[k]!;
        i++;
        continue;
      }
      // skip = min(MAX_SKIP, nextInt(live)); take the machine `skip` places from the start
      t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const skip = Math.min(MAX_SKIP, Math.floor((t >>> 0) * TWO_POW_MINUS_32 * live));
      let slot: number;
      if (skip < frontCount) {
        slot = front[skip]!;
        for (let j = skip + 1; j < frontCount; j++) front[j - 1] = front[j]!;
        frontCount--;
        if (head < tail) front[frontCount++] = order[head++]!;
      } else {
        slot = order[head++]!;
      }
      const address = slotAddress[slot]!;
      const state = slotState[slot]!;
      addresses[i] = address;
      let released = true;
      const invalidFirst = invalidStart[state]!;
      const invalidCount = invalidStart[state + 1]! - invalidFirst;
      if (p < errorRate && invalidCount > 0) {
        // invalid event: nextInt(invalidCount)
        t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        types[i] = invalidEvent[invalidFirst + Math.floor((t >>> 0) * TWO_POW_MINUS_32 * invalidCount)]!;
      } else {
        // k = pick(state's transitions, nextDouble())
        t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        const r = (t >>> 0) * TWO_POW_MINUS_32;
        let k = choiceStart[state]!;
        const last = choiceStart[state + 1]! - 1;
        while (k < last && !(r < choiceCumulative[k]!)) k++;
        const next = choiceTarget[k]!;
        types[i] = choiceEvent[k]!;
        if (terminal[next] === 0) {
          slotState[slot] = next;
          if (frontCount < MAX_SKIP) front[frontCount++] = slot;
          else {
            if (tail === ORDER_CAPACITY) {
              order.copyWithin(0, head, tail);
              tail -= head;
              head = 0;
            }
            order[tail++] = slot;
          }
          released = false;
        }
      }
      if (released) {
        liveSet.delete(address);
        freeSlots[freeCount++] = slot;
      }
      i++;
    }
    this.random.restore([a, b, c, d]);
    this.frontCount = frontCount;
    this.head = head;
    this.tail = tail;
    this.freeCount = freeCount;
  }

  get liveMachines(): number {
    return this.frontCount + this.tail - this.head;
  }

  /** Slot of the live machine `j` places from the start of the insertion order. */
  private liveSlot(j: number): number {
    return j < this.frontCount ? this.front[j]! : this.order[this.head + j - this.frontCount]!;
  }

  /**
   * The split's position, for checkpoints: the PRNG state, then the live machines in order as
   * (address uint32, state uint8). Slot numbers are storage only, so they are not kept.
   */
  snapshot(): Uint8Array {
    const live = this.liveMachines;
    const bytes = new Uint8Array(SNAPSHOT_HEADER_BYTES + live * 5);
    const view = new DataView(bytes.buffer);
    this.random.snapshot().forEach((word, i) => {
      view.setUint32(i * 4, word, true);
    });
    view.setUint32(16, live, true);
    for (let j = 0; j < live; j++) {
      const slot = this.liveSlot(j);
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
    for (let j = 0; j < this.liveMachines; j++) this.liveSet.delete(this.slotAddress[this.liveSlot(j)]!);
    this.frontCount = 0;
    this.head = 0;
    this.tail = 0;
    this.freeCount = 0;
    for (let slot = POOL - 1; slot >= live; slot--) this.freeSlots[this.freeCount++] = slot;
    for (let j = 0; j < live; j++) {
      const address = view.getUint32(SNAPSHOT_HEADER_BYTES + j * 4, true);
      this.slotAddress[j] = address;
      this.slotState[j] = bytes[SNAPSHOT_HEADER_BYTES + live * 4 + j]!;
      this.liveSet.add(address);
      if (j < MAX_SKIP) this.front[this.frontCount++] = j;
      else this.order[this.tail++] = j;
    }
  }
}
