import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointError,
  CheckpointMismatchError,
  CheckpointWriteError,
  writeFileDurably,
} from '@statecraft/engine';
import {
  decodePartitionCheckpoint,
  encodePartitionCheckpoint,
  type PartitionCheckpoint,
} from './partition-checkpoint.js';

/**
 * A directory, shared by every process of a group, holding one checkpoint file per Kafka
 * partition (`partition-<n>.ckpt`), each replaced atomically (see writeFileDurably).
 */
export class PartitionCheckpointStore {
  constructor(
    readonly directory: string,
    readonly job: string,
  ) {
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      throw new CheckpointWriteError(
        `cannot create checkpoint directory ${directory}: ${reason(error)}`,
        error,
      );
    }
  }

  path(partition: number): string {
    return join(this.directory, `partition-${partition}.ckpt`);
  }

  /** The partition's checkpoint, or undefined when it has none yet. */
  async load(partition: number): Promise<PartitionCheckpoint | undefined> {
    const path = this.path(partition);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointError(`cannot read ${path}: ${reason(error)}`);
    }
    let checkpoint: PartitionCheckpoint;
    try {
      checkpoint = decodePartitionCheckpoint(bytes);
    } catch (error) {
      throw new CheckpointError(
        `${path} is unusable (${(error as Error).message}); the partition's state is lost: remove the file to start the partition over`,
      );
    }
    if (checkpoint.job !== this.job || checkpoint.partition !== partition) {
      throw new CheckpointMismatchError(
        `${path} is a checkpoint of another job (${checkpoint.job}, partition ${checkpoint.partition}), not of this one (${this.job}); use another --checkpoint-dir or remove it`,
      );
    }
    return checkpoint;
  }

  /** Writes the partition's checkpoint in place of the last; resolves with its size in bytes. */
  async write(checkpoint: PartitionCheckpoint): Promise<number> {
    const path = this.path(checkpoint.partition);
    const bytes = encodePartitionCheckpoint(checkpoint);
    try {
      await writeFileDurably(path, bytes);
      return bytes.byteLength;
    } catch (error) {
      throw new CheckpointWriteError(`cannot write checkpoint ${path}: ${reason(error)}`, error);
    }
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
