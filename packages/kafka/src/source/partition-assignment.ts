import { PartitionSplit } from './partition-split.js';

/** What one partition contributed, for the run's statistics. */
export interface PartitionStats {
  partition: number;
  records: number;
  events: number;
}

/**
 * The partitions assigned to this member, each read through a split of its own, as the group's
 * rebalances change them: a kept partition keeps its split, a revoked one's split is disowned, and
 * a newly assigned one gets a new split.
 */
export class PartitionAssignment {
  private readonly splits = new Map<number, PartitionSplit>();
  /** Every split this member has had, revoked ones too. */
  private readonly everySplit: PartitionSplit[] = [];
  private memberId: string | undefined;

  /** `endOffsets`: a bounded run's end offset of each partition. */
  constructor(private readonly endOffsets?: readonly number[]) {}

  /** The split of a partition assigned now. */
  get(partition: number): PartitionSplit | undefined {
    return this.splits.get(partition);
  }

  /** The splits of the partitions assigned now. */
  current(): IterableIterator<PartitionSplit> {
    return this.splits.values();
  }

  /** The partitions assigned now, in order. */
  get partitions(): number[] {
    return [...this.splits.keys()].sort((a, b) => a - b);
  }

  /** Applies the group's new assignment: the partitions revoked (their splits disowned) and the splits added. */
  apply(partitions: readonly number[], memberId?: string): { revoked: number[]; added: PartitionSplit[] } {
    const assigned = new Set(partitions);
    // A new member id: this member was expelled and joined again, and others may have read its
    // partitions meanwhile. Even a partition it is given back starts over, from its checkpoint.
    const rejoined = memberId !== undefined && this.memberId !== undefined && memberId !== this.memberId;
    this.memberId = memberId ?? this.memberId;
    const revoked: number[] = [];
    for (const [partition, split] of this.splits) {
      if (assigned.has(partition) && !rejoined) {
        // The new generation has no commit of ours yet: commit the written offset again.
        split.committedOffset = -1;
      } else {
        split.owned = false;
        this.splits.delete(partition);
        revoked.push(partition);
      }
    }
    const added: PartitionSplit[] = [];
    for (const partition of partitions) {
      if (this.splits.has(partition)) continue;
      const split = new PartitionSplit(partition, this.endOffsets?.[partition] ?? Number.POSITIVE_INFINITY);
      this.splits.set(partition, split);
      this.everySplit.push(split);
      added.push(split);
    }
    return { revoked, added };
  }

  /** Partitions this member has read, with what each contributed. */
  get stats(): PartitionStats[] {
    const byPartition = new Map<number, PartitionStats>();
    for (const split of this.everySplit) {
      const stats = byPartition.get(split.partition) ?? { partition: split.partition, records: 0, events: 0 };
      stats.records += split.records;
      stats.events += split.events;
      byPartition.set(split.partition, stats);
    }
    return [...byPartition.values()].filter((s) => s.records > 0).sort((a, b) => a.partition - b.partition);
  }
}
