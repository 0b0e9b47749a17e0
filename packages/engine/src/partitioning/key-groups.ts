import { fmix32 } from './fmix32.js';

export const DEFAULT_PARTITIONS = 128;
/** Key groups travel as uint32; P is bounded well below that to keep state tables per group sane. */
export const MAX_PARTITIONS = 1 << 20;

export function keyGroupOf(address: number, partitions: number): number {
  return fmix32(address) % partitions;
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
