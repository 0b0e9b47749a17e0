import { availableParallelism } from 'node:os';

/** What a sweep measures: every (workers, partitions) pair with workers ≤ partitions. */
export interface SweepPlan {
  workers: readonly number[];
  partitions: readonly number[];
  events: number;
  repeat: number;
}

export interface Combination {
  workers: number;
  partitions: number;
}

/** 0 (inline), 1, 2, then powers of two up to the machine's cores. */
export function defaultWorkers(cores = availableParallelism()): number[] {
  const workers = [0, 1, 2];
  for (let w = 4; w <= cores; w *= 2) workers.push(w);
  return workers;
}

/** The default sweep (`pnpm bench:sweep`); under ten minutes on the 2-core development machine. */
export const DEFAULT_SWEEP: Omit<SweepPlan, 'workers'> = {
  partitions: [1, 16, 128, 1024],
  events: 10_000_000,
  repeat: 5,
};

/** `--quick`: fewer events and partition counts, one run each; under a minute there. */
export const QUICK_SWEEP: Omit<SweepPlan, 'workers'> = {
  partitions: [1, 128, 1024],
  events: 2_000_000,
  repeat: 1,
};

/** The partition count of the inline row that the baseline is compared with. */
export const BASELINE_REFERENCE_PARTITIONS = 128;

/** The pairs to run, partitions-major; a worker count above the partition count cannot run. */
export function combinations(plan: SweepPlan): { runnable: Combination[]; skipped: Combination[] } {
  const runnable: Combination[] = [];
  const skipped: Combination[] = [];
  for (const partitions of plan.partitions) {
    for (const workers of plan.workers) {
      (workers <= partitions ? runnable : skipped).push({ workers, partitions });
    }
  }
  return { runnable, skipped };
}
