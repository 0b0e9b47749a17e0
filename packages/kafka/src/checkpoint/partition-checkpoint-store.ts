import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointError,
  CheckpointMismatchError,
  CheckpointWriteError,
  checkpointIoReason,
  createCheckpointDirectory,
  writeFileDurably,
} from '@statecraft/engine';
import type { CommitPoint } from './commit-points.js';
import {
  decodePartitionCheckpoint,
  encodePartitionCheckpoint,
  type PartitionCheckpoint,
} from './partition-checkpoint.js';

/** A checkpoint file that could not be used, and why (the message names the file). */
export interface Unusable {
  path: string;
  reason: string;
}

/** A partition's checkpoints, newest first (none, one or two), and those that could not be read. */
export interface LoadedCheckpoints {
  checkpoints: PartitionCheckpoint[];
  unusable: Unusable[];
  /** The newest was read from this local copy, not from where the checkpoints are kept. */
  localCopy?: string;
}

/** Where a group's partition checkpoints are kept: a shared directory, or a Kafka topic. */
export interface CheckpointStore {
  /** The job's identity: a checkpoint of another job is refused. */
  readonly job: string;
  /** Where the checkpoints are, for messages (`directory d`, `topic t`). */
  readonly location: string;
  /** The partition's checkpoints, newest first (none, one or two), and those that could not be read. */
  loadAll(partition: number): Promise<LoadedCheckpoints>;
  /** The partition's newest usable checkpoint, or undefined when it has none yet. */
  load(partition: number): Promise<PartitionCheckpoint | undefined>;
  /**
   * Writes a checkpoint durably; resolves with its size in bytes, or 0 when `replace` declined (or
   * the commit point was fenced). A store that can join a transaction commits `commitPoint` with it.
   */
  write(checkpoint: PartitionCheckpoint, replace?: () => boolean, commitPoint?: CommitPoint): Promise<number>;
}

/**
 * A directory, shared by every process of a group, holding the checkpoint of each Kafka
 * partition (`partition-<n>.ckpt`), replaced atomically (see writeFileDurably), and the one
 * before it (`partition-<n>.prev.ckpt`): a takeover falls back to it when the newest claims more
 * of the alert file than the file holds.
 */
export class PartitionCheckpointStore implements CheckpointStore {
  constructor(
    readonly directory: string,
    readonly job: string,
  ) {
    createCheckpointDirectory(directory);
  }

  get location(): string {
    return this.directory;
  }

  path(partition: number): string {
    return join(this.directory, `partition-${partition}.ckpt`);
  }

  previousPath(partition: number): string {
    return join(this.directory, `partition-${partition}.prev.ckpt`);
  }

  /**
   * The partition's checkpoints, newest first (none, one or two), and the files that could not be
   * read as one (damaged), with the reason. A checkpoint of another job is an error.
   */
  async loadAll(partition: number): Promise<{ checkpoints: PartitionCheckpoint[]; unusable: Unusable[] }> {
    const checkpoints: PartitionCheckpoint[] = [];
    const unusable: Unusable[] = [];
    for (const path of [this.path(partition), this.previousPath(partition)]) {
      try {
        const checkpoint = await this.read(path, partition);
        if (checkpoint !== undefined) checkpoints.push(checkpoint);
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        unusable.push({ path, reason: error.message });
      }
    }
    return { checkpoints, unusable };
  }

  /** The partition's newest usable checkpoint, or undefined when it has none yet. */
  async load(partition: number): Promise<PartitionCheckpoint | undefined> {
    const { checkpoints, unusable } = await this.loadAll(partition);
    if (checkpoints.length === 0 && unusable.length > 0) throw stateLost(unusable);
    return checkpoints[0];
  }

  private async read(path: string, partition: number): Promise<PartitionCheckpoint | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointError(`cannot read ${path}: ${checkpointIoReason(error)}`);
    }
    let checkpoint: PartitionCheckpoint;
    try {
      checkpoint = decodePartitionCheckpoint(bytes);
    } catch (error) {
      throw new CheckpointError(`${path} is unusable (${(error as Error).message})`);
    }
    if (checkpoint.job !== this.job || checkpoint.partition !== partition) {
      throw new CheckpointMismatchError(
        `${path} is a checkpoint of another job (${checkpoint.job}, partition ${checkpoint.partition}), not of this one (${this.job}); use another --checkpoint-dir or remove it`,
      );
    }
    return checkpoint;
  }

  /**
   * Writes the partition's checkpoint in place of the last (kept as the previous one); resolves
   * with its size in bytes, or 0 when `replace` declined at the last moment.
   */
  async write(checkpoint: PartitionCheckpoint, replace?: () => boolean): Promise<number> {
    const path = this.path(checkpoint.partition);
    const bytes = encodePartitionCheckpoint(checkpoint);
    try {
      const written = await writeFileDurably(path, bytes, {
        previous: this.previousPath(checkpoint.partition),
        ...(replace === undefined ? {} : { replace }),
      });
      return written ? bytes.byteLength : 0;
    } catch (error) {
      throw new CheckpointWriteError(`cannot write checkpoint ${path}: ${checkpointIoReason(error)}`, error);
    }
  }
}

/** No usable checkpoint among damaged ones: the partition cannot be taken over. */
export function stateLost(unusable: readonly Unusable[]): CheckpointError {
  return new CheckpointError(
    `${unusable.map((u) => u.reason).join('; ')}: the partition's state is lost; remove the file to start the partition over`,
  );
}
