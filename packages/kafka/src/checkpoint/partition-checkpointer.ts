import type { CheckpointStats, KeyedState, StateCommand } from '@statecraft/engine';
import type { GroupMembership } from '../source/group-membership.js';
import type { PartitionSplit } from '../source/partition-split.js';
import type { CommitPoint } from './commit-points.js';
import { PartitionTakeovers, type Takeover, type TakeoverOptions } from './partition-takeover.js';

/** How often each partition is checkpointed: after so many of its events, or so much time. */
export interface CheckpointInterval {
  everyEvents?: number;
  everyMs?: number;
}

export interface PartitionCheckpointerOptions extends TakeoverOptions {
  job: string;
  topic: string;
  interval: CheckpointInterval;
  membership: GroupMembership;
  /** Who writes the checkpoints (host and process), recorded in each for operators. */
  writer: string;
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
  private writtenThrough = -1;
  private writing: Promise<void> = Promise.resolve();
  private readonly takeovers: PartitionTakeovers;

  constructor(private readonly options: PartitionCheckpointerOptions) {
    this.takeovers = new PartitionTakeovers(options);
  }

  /** Prepares a newly assigned partition (see PartitionTakeovers.takeOver). */
  takeOver(split: PartitionSplit): Promise<Takeover | undefined> {
    return this.takeovers.takeOver(split);
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
