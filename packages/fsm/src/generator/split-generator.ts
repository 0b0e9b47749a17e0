import type { CompiledMachine } from '../machine/compile.js';
import { LiveAddressSet } from './live-set.js';
import { Sfc32 } from './prng.js';

/** Flink's generator keeps up to this many machines alive (EventsGenerator). */
export const MAX_LIVE_MACHINES = 1000;
const RING_CAPACITY = 1024;
const RING_MASK = RING_CAPACITY - 1;
const MAX_SKIP = 20;

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
  private readonly liveAddresses = new Uint32Array(RING_CAPACITY);
  private readonly liveStates = new Uint8Array(RING_CAPACITY);
  private readonly liveSet = new LiveAddressSet();
  private head = 0;
  private live = 0;

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
    const { random, liveAddresses, liveStates, liveSet, machine } = this;
    const { choices, terminal, initial } = machine;
    const { minAddress, errorRate } = this.options;
    const range = this.options.maxAddress - minAddress;
    const end = offset + count;
    let i = offset;
    while (i < end) {
      const p = random.nextDouble();
      if (p * MAX_LIVE_MACHINES >= this.live) {
        const address = minAddress + random.nextInt(range);
        if (liveSet.has(address)) continue;
        const choice = choices[initial]!;
        const k = pick(choice.cumulative, random.nextDouble());
        const next = choice.targets[k]!;
        if (terminal[next] === 0) {
          liveSet.add(address);
          this.append(address, next);
        }
        addresses[i] = address;
        types[i] = choice.events[k]!;
        i++;
        continue;
      }
      const skip = Math.min(MAX_SKIP, random.nextInt(this.live));
      const slot = (this.head + skip) & RING_MASK;
      const address = liveAddresses[slot]!;
      const state = liveStates[slot]!;
      this.removeAfterSkipping(skip);
      const choice = choices[state]!;
      addresses[i] = address;
      if (p < errorRate && choice.invalidEvents.length > 0) {
        types[i] = choice.invalidEvents[random.nextInt(choice.invalidEvents.length)]!;
        liveSet.delete(address);
      } else {
        const k = pick(choice.cumulative, random.nextDouble());
        const next = choice.targets[k]!;
        types[i] = choice.events[k]!;
        if (terminal[next] === 0) this.append(address, next);
        else liveSet.delete(address);
      }
      i++;
    }
  }

  get liveMachines(): number {
    return this.live;
  }

  private append(address: number, state: number): void {
    const slot = (this.head + this.live) & RING_MASK;
    this.liveAddresses[slot] = address;
    this.liveStates[slot] = state;
    this.live++;
  }

  /** Removes the element `skip` places after the head, keeping the others in order. */
  private removeAfterSkipping(skip: number): void {
    const { liveAddresses, liveStates, head } = this;
    for (let j = skip; j > 0; j--) {
      const to = (head + j) & RING_MASK;
      const from = (head + j - 1) & RING_MASK;
      liveAddresses[to] = liveAddresses[from]!;
      liveStates[to] = liveStates[from]!;
    }
    this.head = (head + 1) & RING_MASK;
    this.live--;
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
