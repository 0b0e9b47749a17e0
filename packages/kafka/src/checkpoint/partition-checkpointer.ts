import {
  CheckpointError,
  type CheckpointStats,
  type KeyedState,
  type StateCommand,
} from '@statecraft/engine';
import type { OutgoingRecord } from '../client/client.js';
import type { PartitionOutputs } from '../sinks/partition-files-sink.js';
import type { GroupMembership } from '../source/group-membership.js';
import type { PartitionSplit } from '../source/partition-split.js';
import type { PartitionCheckpoint } from './partition-checkpoint.js';
import { type CheckpointStore, stateLost, type Unusable } from './partition-checkpoint-store.js';

/** How often each partition is checkpointed: after so many of its events, or so much time. */
export interface CheckpointInterval {
  everyEvents?: number;
  everyMs?: number;
}

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

export interface PartitionCheckpointerOptions {
  store: CheckpointStore;
  job: string;
  topic: string;
  interval: CheckpointInterval;
  membership: GroupMembership;
  /** The per-partition alert files (--output-dir), which checkpoints make exactly-once. */
  outputs?: PartitionOutputs | undefined;
  /** The group's committed offset of a partition, -1 when none. */
  committedOffset(partition: number): Promise<number>;
  /**
   * Exactly-once outputs: told of each takeover before its checkpoint is read (`claim`), where each
   * checkpoint falls among the partition's writes (`mark`, when the chunks before it are written),
   * and when a checkpoint is not written after all (`skip`); the store's write commits what the
   * mark closed.
   */
  commitPoints?: CommitPoints | undefined;
  /** Who writes the checkpoints (host and process), recorded in each for operators. */
  writer: string;
  /** Told about each partition taken over, before any of its records is read. */
  onTakeover?: (takeover: TakeoverReport) => void;
}

export interface TakeoverReport {
  partition: number;
  /** The checkpoint the partition resumes from; undefined: none yet. */
  checkpoint: PartitionCheckpoint | undefined;
  /** The group's committed offset, when there is no checkpoint. */
  committedOffset?: number;
  /** The alert file's length before and after it was cut back (--output-dir). */
  file?: { from: number; to: number };
  /** The newest checkpoint claimed more of the file than it holds: the one before it is used. */
  fellBack?: boolean;
  /** Damaged checkpoint files passed over. */
  unusable?: Unusable[];
  /** The checkpoint was restored from this local copy (it is the newest in the state topic). */
  localCopy?: string;
}

/** Where a taken-over partition resumes. */
export interface Takeover {
  checkpoint: PartitionCheckpoint;
  restore: StateCommand;
}

/** A barrier: a snapshot of a split's state asked for after chunk `afterChunk`. */
interface Barrier {
  split: PartitionSplit;
  afterChunk: number;
  offset: number;
  events: number;
  startedAt: number;
  state?: KeyedState;
  alerts?: number;
  outputPosition?: number;
  /** Exactly-once: the transaction this checkpoint commits. */
  commitPoint?: CommitPoint | undefined;
  durable: (offset: number | undefined) => void;
  failed: (error: unknown) => void;
}

/**
 * Checkpoints a consumer group member's partitions, each on its own: after a partition's chunk
 * that completes an interval, a snapshot of that partition's state (its scope) is taken between
 * chunks; once the chunks before it are written, the partition's alert file is made durable, and
 * the checkpoint (state, next offset, file length) is written. Only then may the offset be
 * committed. A member taking a partition over restores it and cuts its file back, so the file
 * holds each alert exactly once, whoever wrote it.
 */
export class PartitionCheckpointer {
  /** Checkpoints written by this member, and what the last one cost (ms from barrier to durable). */
  readonly stats: CheckpointStats = { taken: 0, lastMs: 0, lastBytes: 0, totalMs: 0 };
  private readonly barriers: Barrier[] = [];
  private readonly takeovers = new Map<number, Promise<void>>();
  private writtenThrough = -1;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: PartitionCheckpointerOptions) {}

  /**
   * Prepares a newly assigned partition: its checkpoint, if any, to restore (and its file cut to
   * the checkpoint's length); otherwise its file is emptied unless the group has an offset for it.
   * Takeovers of one partition run one after the other; one whose split was revoked meanwhile
   * stops before it touches the file. Resolves undefined when there is nothing to restore.
   */
  takeOver(split: PartitionSplit): Promise<Takeover | undefined> {
    const { partition } = split;
    const earlier = this.takeovers.get(partition) ?? Promise.resolve();
    const next = earlier.then(() => this.prepare(split));
    this.takeovers.set(
      partition,
      next.then(
        () => undefined,
        () => undefined,
      ),
    );
    return next;
  }

  private async prepare(split: PartitionSplit): Promise<Takeover | undefined> {
    const { partition } = split;
    const { outputs } = this.options;
    await this.options.commitPoints?.claim(split);
    if (!split.owned) return undefined;
    const { checkpoints: candidates, unusable, localCopy } = await this.options.store.loadAll(partition);
    if (!split.owned) return undefined;
    // Damaged files are passed over for an older usable one; with none, the state is lost.
    if (candidates.length === 0 && unusable.length > 0) throw stateLost(unusable);
    // The newest checkpoint whose alerts the file holds: a checkpoint a revoked member finished
    // after the file was cut back may claim more.
    const onDisk = outputs === undefined ? Number.POSITIVE_INFINITY : await outputs.lengthOnDisk(partition);
    const checkpoint = candidates.find((c) => c.outputPosition <= onDisk);
    if (candidates.length > 0 && checkpoint === undefined) {
      throw new CheckpointError(
        `the checkpoints of partition ${partition} in ${this.options.store.location} claim ${candidates[candidates.length - 1]!.outputPosition} bytes of its alerts file, which holds ${onDisk}: the file was changed outside the job`,
      );
    }
    if (!split.owned) return undefined;
    if (checkpoint === undefined) {
      const committedOffset = await this.options.committedOffset(partition);
      if (!split.owned) return undefined;
      const file = await outputs?.prepare(partition, committedOffset >= 0 ? undefined : 0);
      this.options.onTakeover?.({
        partition,
        checkpoint,
        committedOffset,
        ...(file === undefined ? {} : { file }),
      });
      return undefined;
    }
    const file = await outputs?.prepare(
      partition,
      checkpoint.outputPosition >= 0 ? checkpoint.outputPosition : undefined,
    );
    this.options.onTakeover?.({
      partition,
      checkpoint,
      ...(checkpoint === candidates[0] ? {} : { fellBack: true }),
      ...(unusable.length === 0 ? {} : { unusable }),
      ...(localCopy === undefined ? {} : { localCopy }),
      ...(file === undefined ? {} : { file }),
    });
    split.priorEvents = checkpoint.events;
    split.priorAlerts = checkpoint.alerts;
    return { checkpoint, restore: { command: 'restore', scope: partition, state: checkpoint.keyed } };
  }

  /** After the split's chunk was handed to the engine: whether the split is due a checkpoint. */
  due(split: PartitionSplit, events: number): boolean {
    split.eventsSinceCheckpoint += events;
    split.lastHandedAt = performance.now();
    const { everyEvents, everyMs } = this.options.interval;
    return (
      split.handedOffset >= split.endOffset ||
      (everyEvents !== undefined && split.eventsSinceCheckpoint >= everyEvents) ||
      (everyMs !== undefined && split.lastHandedAt - split.checkpointedAt >= everyMs)
    );
  }

  /** Whether the split read something since its last checkpoint, and nothing for `idleMs` or longer. */
  hasProgress(split: PartitionSplit, idleMs = 0): boolean {
    return split.eventsSinceCheckpoint > 0 && performance.now() - split.lastHandedAt >= idleMs;
  }

  /**
   * The snapshot command for a checkpoint of `split` after chunk `afterChunk`; `durable` resolves
   * with the checkpoint's offset once it is on disk (undefined: the partition was revoked meanwhile).
   */
  barrier(
    split: PartitionSplit,
    afterChunk: number,
  ): { command: StateCommand; durable: Promise<number | undefined> } {
    split.eventsSinceCheckpoint = 0;
    split.checkpointedAt = performance.now();
    let durable!: (offset: number | undefined) => void;
    let failed!: (error: unknown) => void;
    const written = new Promise<number | undefined>((resolve, reject) => {
      durable = resolve;
      failed = reject;
    });
    const barrier: Barrier = {
      split,
      afterChunk,
      offset: split.handedOffset,
      events: split.priorEvents + split.handedEvents,
      startedAt: performance.now(),
      durable,
      failed,
    };
    if (afterChunk <= this.writtenThrough) this.capture(barrier);
    this.barriers.push(barrier);
    const command: StateCommand = {
      command: 'snapshot',
      scope: split.partition,
      done: (state) => {
        barrier.state = state;
        this.complete(barrier);
      },
    };
    return { command, durable: written };
  }

  /** The job wrote chunk `chunk`'s outputs (chunks come in order). */
  chunkWritten(chunk: number): void {
    this.writtenThrough = chunk;
    for (const barrier of this.barriers) {
      if (barrier.afterChunk === chunk) {
        this.capture(barrier);
        this.complete(barrier);
      }
    }
  }

  /** Waits for every checkpoint asked for to be written. */
  async drain(): Promise<void> {
    await this.writing;
  }

  /** What the job had written for the split once the chunks up to the barrier were. */
  private capture(barrier: Barrier): void {
    barrier.commitPoint = this.options.commitPoints?.mark(barrier.split);
    barrier.alerts = barrier.split.priorAlerts + barrier.split.alerts;
    barrier.outputPosition = this.options.outputs?.length(barrier.split.partition) ?? -1;
  }

  private complete(barrier: Barrier): void {
    if (barrier.state === undefined || barrier.outputPosition === undefined) return;
    this.barriers.splice(this.barriers.indexOf(barrier), 1);
    // One write at a time, in barrier order: a partition's checkpoints never overtake each other.
    this.writing = this.writing.then(() =>
      this.write(barrier).then(
        (written) => barrier.durable(written ? barrier.offset : undefined),
        barrier.failed,
      ),
    );
  }

  private async write(barrier: Barrier): Promise<boolean> {
    const { split } = barrier;
    const { membership, outputs, store } = this.options;
    if (!(await membership.owns(split))) {
      await barrier.commitPoint?.skip();
      return false;
    }
    const bytes = await membership.track(
      (async () => {
        await outputs?.sync(split.partition);
        return store.write(
          {
            job: this.options.job,
            topic: this.options.topic,
            partition: split.partition,
            offset: barrier.offset,
            events: barrier.events,
            alerts: barrier.alerts!,
            outputPosition: barrier.outputPosition!,
            createdAt: new Date().toISOString(),
            writer: this.options.writer,
            keyed: barrier.state!,
          },
          // A rebalance may have begun during the fsyncs: the partition may be another's by now.
          () => membership.mayWrite(split),
          barrier.commitPoint,
        );
      })(),
    );
    if (bytes === 0) return false;
    const ms = performance.now() - barrier.startedAt;
    this.stats.taken++;
    this.stats.lastMs = ms;
    this.stats.lastBytes = bytes;
    this.stats.totalMs += ms;
    return true;
  }
}
