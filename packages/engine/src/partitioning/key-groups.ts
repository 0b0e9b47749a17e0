import { fmix32 } from './fmix32.js';

export const DEFAULT_PARTITIONS = 128;
/** Key groups travel as uint32; P is bounded well below that to keep state tables per group sane. */
export const MAX_PARTITIONS = 1 << 20;

export function keyGroupOf(address: number, partitions: number): number {
  return uint32Mod(fmix32(address), partitions);
}

/**
 * `hash % partitions` for a uint32 hash, in int32 arithmetic: a hash of 2^31 or more is a double
 * to V8, and a double remainder is a call to fmod, several times the cost of the hash itself.
 * (2·⌊h/2⌋ + h mod 2) mod P = (2·(⌊h/2⌋ mod P) + h mod 2) mod P, and every operand fits an int32.
 */
export function uint32Mod(hash: number, partitions: number): number {
  return ((((hash >>> 1) % partitions) << 1) + (hash & 1)) % partitions;
}

/** The worker that owns a key group: Flink's `keyGroup * W / P` (contiguous ranges). */
export function workerOfKeyGroup(keyGroup: number, workers: number, partitions: number): number {
  return Math.floor((keyGroup * workers) / partitions);
}

/** The inclusive key-group range owned by `worker` (Flink's computeKeyGroupRangeForOperatorIndex). */
export function keyGroupRange(
  worker: number,
  workers: number,
  partitions: number,
): { start: number; end: number } {
  return {
    start: Math.floor((worker * partitions + workers - 1) / workers),
    end: Math.floor(((worker + 1) * partitions - 1) / workers),
  };
}
