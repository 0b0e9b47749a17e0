import { CheckpointError, type StateCommand } from '@statecraft/engine';
import type { PartitionOutputs } from '../sinks/partition-files-sink.js';
import type { PartitionSplit } from '../source/partition-split.js';
import type { CommitPoints } from './commit-points.js';
import type { PartitionCheckpoint } from './partition-checkpoint.js';
import { type CheckpointStore, stateLost, type Unusable } from './partition-checkpoint-store.js';

export interface TakeoverOptions {
  store: CheckpointStore;
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

/** The takeovers of a member's newly assigned partitions: where each resumes, and its file cut back to match. */
export class PartitionTakeovers {
  private readonly takeovers = new Map<number, Promise<void>>();

  constructor(private readonly options: TakeoverOptions) {}

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
}
