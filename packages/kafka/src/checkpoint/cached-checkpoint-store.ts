import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointWriteError,
  checkpointIoReason,
  createCheckpointDirectory,
  frameCheckpoint,
  requireIntegers,
  unframeCheckpoint,
  writeFileDurably,
} from '@statecraft/engine';
import type { CommitPoint } from './commit-points.js';
import type { KafkaCheckpointStore } from './kafka-checkpoint-store.js';
import { decodePartitionCheckpoint, type PartitionCheckpoint } from './partition-checkpoint.js';
import { type CheckpointStore, type LoadedCheckpoints, stateLost } from './partition-checkpoint-store.js';

const KIND = 'kafka-state-copy';

/** A local copy of a checkpoint, and where its record is in the state topic. */
interface LocalCopy {
  topicId: string;
  offset: number;
  checkpoint: PartitionCheckpoint;
}

/**
 * The state topic, with a local copy of each checkpoint this process writes (`--checkpoint-dir`
 * with `--state-topic`), as Kafka Streams keeps its state stores on local disk beside their
 * changelog topics. The topic stays the truth: a takeover restores the local copy only while it is
 * the partition's newest checkpoint in the topic (the same topic, by id, and nothing committed
 * after its record), without reading the snapshot over the network; otherwise, or when the copy
 * cannot be read, from the topic. The directory is the process's own, never shared.
 */
export class CachedCheckpointStore implements CheckpointStore {
  constructor(
    private readonly topic: KafkaCheckpointStore,
    readonly directory: string,
  ) {
    createCheckpointDirectory(directory);
  }

  get job(): string {
    return this.topic.job;
  }

  get location(): string {
    return this.topic.location;
  }

  path(partition: number): string {
    return join(this.directory, `partition-${partition}.state-copy`);
  }

  async loadAll(partition: number): Promise<LoadedCheckpoints> {
    const copy = await this.readCopy(partition);
    if (copy !== undefined && (await this.topic.isNewest(partition, copy.topicId, copy.offset))) {
      return { checkpoints: [copy.checkpoint], unusable: [], localCopy: this.path(partition) };
    }
    return this.topic.loadAll(partition);
  }

  async load(partition: number): Promise<PartitionCheckpoint | undefined> {
    const { checkpoints, unusable } = await this.loadAll(partition);
    if (checkpoints.length === 0 && unusable.length > 0) throw stateLost(unusable);
    return checkpoints[0];
  }

  async write(
    checkpoint: PartitionCheckpoint,
    replace?: () => boolean,
    commitPoint?: CommitPoint,
  ): Promise<number> {
    const written = await this.topic.writeRecord(checkpoint, replace, commitPoint);
    const { bytes, encoded, topicId, offset } = written;
    if (bytes === 0 || encoded === undefined || topicId === undefined || offset === undefined) return bytes;
    const path = this.path(checkpoint.partition);
    try {
      await writeFileDurably(path, frameCheckpoint({ kind: KIND, topicId, offset, checkpoint: encoded }));
    } catch (error) {
      throw new CheckpointWriteError(
        `cannot write the local copy ${path}: ${checkpointIoReason(error)}`,
        error,
      );
    }
    return bytes;
  }

  /** The partition's local copy; undefined when there is none, or none this job can use. */
  private async readCopy(partition: number): Promise<LocalCopy | undefined> {
    let file: Buffer;
    try {
      file = await readFile(this.path(partition));
    } catch {
      return undefined;
    }
    try {
      const record = unframeCheckpoint(file);
      requireIntegers(record, ['offset']);
      if (
        record.kind !== KIND ||
        typeof record.topicId !== 'string' ||
        !(record.checkpoint instanceof Uint8Array)
      ) {
        return undefined;
      }
      const checkpoint = decodePartitionCheckpoint(record.checkpoint);
      if (checkpoint.job !== this.job || checkpoint.partition !== partition) return undefined;
      return { topicId: record.topicId, offset: record.offset as number, checkpoint };
    } catch {
      // A damaged copy is only a slower takeover: the topic has the checkpoint.
      return undefined;
    }
  }
}
