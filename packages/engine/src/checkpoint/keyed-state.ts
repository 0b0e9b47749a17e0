import type { KeyedState } from '../operator.js';
import { keyGroupOf, workerOfKeyGroup } from '../partitioning/key-groups.js';

/** One state holding all the keys of several (disjoint) ones. */
export function concatKeyedStates(states: readonly KeyedState[]): KeyedState {
  const total = states.reduce((n, state) => n + state.keys.length, 0);
  const keys = new Uint32Array(total);
  const values = new Uint32Array(total);
  const stamped = states.some((state) => state.stamps !== undefined);
  const stamps = stamped ? new Float64Array(total) : undefined;
  let offset = 0;
  for (const state of states) {
    keys.set(state.keys, offset);
    values.set(state.values, offset);
    if (stamps !== undefined && state.stamps !== undefined) stamps.set(state.stamps, offset);
    offset += state.keys.length;
  }
  return { keys, values, stamps };
}

/**
 * Splits a snapshot's keys among `workers` by re-hashing them into `partitions` key groups: the
 * rescaling step of a restore, whatever the worker and partition counts were when it was taken.
 */
export function splitKeyedState(state: KeyedState, workers: number, partitions: number): KeyedState[] {
  const { keys, values, stamps } = state;
  const owner = new Uint32Array(keys.length);
  const counts = new Uint32Array(workers);
  for (let i = 0; i < keys.length; i++) {
    const worker = workerOfKeyGroup(keyGroupOf(keys[i]!, partitions), workers, partitions);
    owner[i] = worker;
    counts[worker]!++;
  }
  const parts = Array.from(counts, (n) => ({
    keys: new Uint32Array(n),
    values: new Uint32Array(n),
    stamps: stamps === undefined ? undefined : new Float64Array(n),
    filled: 0,
  }));
  for (let i = 0; i < keys.length; i++) {
    const part = parts[owner[i]!]!;
    const j = part.filled++;
    part.keys[j] = keys[i]!;
    part.values[j] = values[i]!;
    if (part.stamps !== undefined) part.stamps[j] = stamps![i]!;
  }
  return parts.map(({ keys, values, stamps }) => ({ keys, values, stamps }));
}

/** The buffers of a state's columns, to transfer to another thread rather than copy. */
export function stateBuffers(state: KeyedState): ArrayBuffer[] {
  const buffers = [state.keys.buffer, state.values.buffer] as ArrayBuffer[];
  if (state.stamps !== undefined) buffers.push(state.stamps.buffer as ArrayBuffer);
  return buffers;
}
