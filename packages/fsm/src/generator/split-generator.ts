import type { CompiledMachine } from '../machine/compile.js';
import { LiveAddressSet } from './live-set.js';
import { Sfc32 } from './prng.js';

/** Flink's generator keeps up to this many machines alive (EventsGenerator). */
export const MAX_LIVE_MACHINES = 1000;
const POOL = 1024;
/**
 * Live machines are slots in insertion order: the first MAX_SKIP of them in `front`, the rest in
 * [head, tail) of a ring (positions masked by ORDER_MASK; it holds at most POOL < its size, so
 * head === tail means empty). A draw takes the machine `skip ≤ MAX_SKIP` places from the start:
 * almost always the first of the rest (O(1)); only a skip below MAX_SKIP shifts part of `front`.
 * The ring never needs compacting: a branch taken once per 65,536 events cost a JIT deoptimisation
 * in every short run.
 */
const ORDER_MASK = 2 * POOL - 1;
const MAX_SKIP = 20;
/** Events per call of the generator's loop (see `fill`). */
const FILL_RUN = 1024;
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
  /** Slots of the first min(MAX_SKIP, live) live machines, in insertion order (+1: a scratch entry). */
  private readonly front = new Uint16Array(MAX_SKIP + 1);
  private frontCount = 0;
  /** Slots of the other live machines in insertion order: order[head..tail) of the ring. */
  private readonly order = new Uint16Array(ORDER_MASK + 1);
  private head = 0;
  private tail = 0;
  private readonly liveSet = new LiveAddressSet();
  /** The machine's choices, flattened: state s's transitions are [choiceStart[s], choiceStart[s + 1]). */
  private readonly choiceStart: Uint16Array;
  private readonly choiceEvent: Uint8Array;
  private readonly choiceTarget: Uint8Array;
  private readonly choiceCumulative: Float64Array;
  /**
   * State s's invalid events are [invalidStart[s], invalidStart[s + 1]) of invalidEvent (one more
   * entry at the end, read but not used when the last state has none).
   */
  private readonly invalidStart: Uint16Array;
  private readonly invalidEvent: Uint8Array;
  /** The error rate in states with invalid events, 0 in the others: p < errorLimit[s] emits one. */
  private readonly errorLimit: Float64Array;

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
    this.invalidEvent = Uint8Array.from([...choices.flatMap((choice) => [...choice.invalidEvents]), 0]);
    this.errorLimit = Float64Array.from(choices, (choice) =>
      choice.invalidEvents.length > 0 ? options.errorRate : 0,
    );
  }

  /** Writes `count` events into the arrays starting at `offset`. */
  fill(addresses: Uint32Array, types: Uint8Array, offset: number, count: number): void {
    // In runs, so that the JIT sees the whole of fillRun run (its start and end too) before it
    // compiles it: code it has not seen run deoptimises when first reached, and a loop compiled
    // in the middle of one long first call deoptimised at its end on every later call.
    for (let done = 0; done < count; done += FILL_RUN) {
      this.fillRun(addresses, types, offset + done, Math.min(FILL_RUN, count - done));
    }
  }

  /**
   * Writes `count` events into the arrays starting at `offset`. The PRNG (sfc32, as in Sfc32) and
   * the queue positions live in locals for the loop, written back at the end: the same draws, in
   * the same order, as drawing from the Sfc32 object.
   */
  private fillRun(addresses: Uint32Array, types: Uint8Array, offset: number, count: number): void {
    const { slotAddress, slotState, freeSlots, liveSet, front, order } = this;
    const {
      choiceStart,
      choiceEvent,
      choiceTarget,
      choiceCumulative,
      invalidStart,
      invalidEvent,
      errorLimit,
    } = this;
    const { terminal, initial } = this.machine;
    const { minAddress } = this.options;
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
      const live = frontCount + ((tail - head) & ORDER_MASK);
      if (p * maxLive >= live) {
        // address = minAddress + nextInt(range)
        t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + t) | 0;
        // truncation is Math.floor here: the product lies in [0, range), range < 2^32
        const address = minAddress + (((t >>> 0) * TWO_POW_MINUS_32 * range) >>> 0);
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
          front[frontCount] = slot;
          order[tail] = slot;
          const toFront = (frontCount - MAX_SKIP) >>> 31;
          frontCount += toFront;
          tail = (tail + 1 - toFront) & ORDER_MASK;
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
      const skip = Math.min(MAX_SKIP, ((t >>> 0) * TWO_POW_MINUS_32 * live) | 0);
      let slot: number;
      if (skip < frontCount) {
        slot = front[skip]!;
        for (let j = skip + 1; j < frontCount; j++) front[j - 1] = front[j]!;
        frontCount--;
        if (head !== tail) {
          front[frontCount++] = order[head]!;
          head = (head + 1) & ORDER_MASK;
        }
      } else {
        slot = order[head]!;
        head = (head + 1) & ORDER_MASK;
      }
      const address = slotAddress[slot]!;
      const state = slotState[slot]!;
      addresses[i] = address;
      // One more draw: an invalid event, nextInt(invalidCount), if p < errorRate and the state has
      // invalid events, else a transition, pick(state's transitions, nextDouble()). Both are
      // computed from it, so the rare error path has no code of its own (code the JIT has never
      // seen run deoptimises the loop when first reached).
      t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const r = (t >>> 0) * TWO_POW_MINUS_32;
      const invalidFirst = invalidStart[state]!;
      const invalidType = invalidEvent[invalidFirst + ((r * (invalidStart[state + 1]! - invalidFirst)) | 0)]!;
      let k = choiceStart[state]!;
      const last = choiceStart[state + 1]! - 1;
      while (k < last && !(r < choiceCumulative[k]!)) k++;
      const next = choiceTarget[k]!;
      const invalid = p < errorLimit[state]!;
      types[i] = invalid ? invalidType : choiceEvent[k]!;
      if (invalid || terminal[next] !== 0) {
        liveSet.delete(address);
        freeSlots[freeCount++] = slot;
      } else {
        slotState[slot] = next;
        // append, to `front` while it has room (then the ring is empty), else to the ring
        front[frontCount] = slot;
        order[tail] = slot;
        const toFront = (frontCount - MAX_SKIP) >>> 31;
        frontCount += toFront;
        tail = (tail + 1 - toFront) & ORDER_MASK;
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
    return this.frontCount + ((this.tail - this.head) & ORDER_MASK);
  }

  /** Slot of the live machine `j` places from the start of the insertion order. */
  private liveSlot(j: number): number {
    return j < this.frontCount ? this.front[j]! : this.order[(this.head + j - this.frontCount) & ORDER_MASK]!;
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
