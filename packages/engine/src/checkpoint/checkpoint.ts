import type { KeyedState } from '../operator.js';
import type { SplitState } from '../sources/parallel-source.js';
import type { RejectReason } from '../sources/reject.js';

/** Bumped whenever the encoding changes; older builds refuse newer files and the reverse. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/**
 * A consistent snapshot of a job as of the start of chunk `chunk`: every key group's state after
 * exactly the chunks before it, the source splits positioned at it, and the sink's position once
 * their alerts were written. Worker, partition and producer counts are recorded but not required
 * on restore: keys are re-hashed into the new key groups and splits go to their new producers.
 */
export interface Checkpoint {
  /** The job's identity (source, machine, seed, ...): a checkpoint of another job is refused. */
  job: string;
  chunk: number;
  /** Events in the chunks before `chunk`. */
  firstEvent: number;
  /** Outputs (alerts) written before `chunk`. */
  outputs: number;
  /** The sink's committed position (bytes of an output file) after those outputs. */
  outputPosition: number;
  rejects: Partial<Record<RejectReason, number>>;
  expiredKeys: number;
  workers: number;
  partitions: number;
  sourceParallelism: number;
  createdAt: string;
  keyed: KeyedState;
  splits: SplitState[];
}

/** Where a run starts: from the beginning, or from a checkpoint. */
export type JobStart = Checkpoint | undefined;
