/**
 * One assigned Kafka partition, the source's unit of work: where reading resumes, how far the
 * job's outputs are written, and what is committed. A split lives while the partition is assigned
 * to this member; a revoked partition's split is dropped (its queued chunks with it) and a later
 * assignment of the same partition starts a new one from the group's committed offset, or from
 * the partition's checkpoint.
 */
export class PartitionSplit {
  /** The next offset to take: records below it were taken already (a fetch after a rejoin repeats them). -1 before the first. */
  nextOffset = -1;
  /** The offset after the last record handed to the engine; -1 before any. */
  handedOffset = -1;
  /** The offset after the last record whose outputs are all written (and checkpointed, with checkpoints); -1 before any. */
  writtenOffset = -1;
  /** What this member last committed for the partition in the current generation; -1 when unknown. */
  committedOffset = -1;
  /** Cleared when the partition is revoked. */
  owned = true;
  /** Events and records taken from the partition by this split. */
  events = 0;
  records = 0;
  /** Events handed to the engine, and alerts written, by this split. */
  handedEvents = 0;
  alerts = 0;
  /** Events and alerts of the partition before this split began (from its checkpoint). */
  priorEvents = 0;
  priorAlerts = 0;
  /** With checkpoints: events handed since the last checkpoint, when that was, and when events were last handed. */
  eventsSinceCheckpoint = 0;
  checkpointedAt = performance.now();
  lastHandedAt = 0;
  /** Settles once the split may be read: its checkpoint restored, its alert file cut back. */
  ready: Promise<void> | undefined;

  constructor(
    readonly partition: number,
    /** Records at or past this offset are left alone (a bounded run); Infinity otherwise. */
    readonly endOffset: number,
  ) {}

  /** Whether every record before the end offset has been taken. */
  get taken(): boolean {
    return this.nextOffset >= this.endOffset;
  }

  /** Offsets that are written but not yet committed, or undefined. */
  get uncommitted(): number | undefined {
    return this.owned && this.writtenOffset >= 0 && this.writtenOffset !== this.committedOffset
      ? this.writtenOffset
      : undefined;
  }
}
