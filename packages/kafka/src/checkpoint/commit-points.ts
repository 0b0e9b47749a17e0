import type { OutgoingRecord } from '../client/client.js';
import type { PartitionSplit } from '../source/partition-split.js';

/** Where a partition's checkpoints fall among its transactional writes (PartitionTransactions). */
export interface CommitPoints {
  /** A split taken over: fences the partition's earlier writers before its checkpoint is read. */
  claim(split: PartitionSplit): Promise<void>;
  /** The split's writes so far belong to the checkpoint being captured. */
  mark(split: PartitionSplit): CommitPoint;
}

/** The transaction a checkpoint closes: committed with the checkpoint, or aborted without it. */
export interface CommitPoint {
  /**
   * Commits the writes before the mark with `records` (the snapshot, one record) and the next
   * offset; resolves with the snapshot's offset in the state topic, or undefined when fenced.
   */
  commit(stateTopic: string, records: readonly OutgoingRecord[], offset: number): Promise<number | undefined>;
  skip(): Promise<void>;
}
