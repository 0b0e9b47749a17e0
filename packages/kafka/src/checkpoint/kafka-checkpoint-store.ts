import { CheckpointError, CheckpointMismatchError, CheckpointWriteError } from '@statecraft/engine';
import type { ClusterAdmin } from '../client/client.js';
import { KafkaError, TopicNotFoundError } from '../errors.js';
import type { ColumnarProducer } from '../wire/columnar-producer.js';
import {
  isNewestRecord,
  type PartitionReaderOptions,
  readFromEnd,
  topicIdOf,
} from '../wire/partition-reader.js';
import type { CommitPoint } from './commit-points.js';
import {
  decodePartitionCheckpoint,
  encodePartitionCheckpoint,
  type PartitionCheckpoint,
} from './partition-checkpoint.js';
import { type CheckpointStore, stateLost, type Unusable } from './partition-checkpoint-store.js';

export interface KafkaCheckpointStoreOptions extends PartitionReaderOptions {
  /** The compacted topic holding the checkpoints: partition n of the events topic → its partition n. */
  stateTopic: string;
  job: string;
  producer: ColumnarProducer;
  admin: ClusterAdmin;
}

/** Largest checkpoint the state topic accepts (its max.message.bytes when Statecraft creates it). */
const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

/**
 * Checkpoints kept in Kafka itself, as Kafka Streams keeps its state: a compacted topic with one
 * partition per partition of the events topic, each holding that partition's checkpoints under
 * one key (compaction keeps the newest). Any process of the group, on any machine, restores a
 * partition it is given from there: no shared disk.
 */
export class KafkaCheckpointStore implements CheckpointStore {
  readonly job: string;
  /**
   * The state topic's id, read at start (before any checkpoint is written: an id read after a write
   * could name a topic created again since).
   */
  private topicId: string | undefined;
  /** The state topic's partition count, as last read. */
  private partitions = 0;

  constructor(private readonly options: KafkaCheckpointStoreOptions) {
    this.job = options.job;
  }

  get location(): string {
    return `topic ${this.options.stateTopic}`;
  }

  /**
   * Creates the state topic when it does not exist (compacted, `partitions` partitions), and
   * checks that an existing one has a partition for each partition of the events topic.
   */
  async prepare(partitions: number): Promise<{ created: boolean }> {
    const { admin, stateTopic } = this.options;
    let existing: number;
    try {
      existing = await admin.partitionCount(stateTopic);
    } catch (error) {
      if (!(error instanceof TopicNotFoundError)) throw error;
      await admin.createTopics([
        {
          name: stateTopic,
          partitions,
          config: {
            'cleanup.policy': 'compact',
            'max.message.bytes': String(MAX_CHECKPOINT_BYTES),
            'min.compaction.lag.ms': '0',
            'segment.ms': '600000',
          },
        },
      ]);
      this.topicId = await topicIdOf(this.options, stateTopic);
      this.partitions = partitions;
      return { created: true };
    }
    if (existing < partitions) {
      throw new KafkaError(
        `state topic ${stateTopic} has ${existing} partitions, fewer than the events topic's ${partitions}: give another --state-topic`,
      );
    }
    this.topicId = await topicIdOf(this.options, stateTopic);
    this.partitions = existing;
    return { created: false };
  }

  /**
   * Partitions added to the events topic while the job runs are assigned like the others, but
   * their checkpoints need a partition of the state topic of the same number: refused with what
   * to do when it has none (read again first: it may have been grown meanwhile).
   */
  private async checkHasPartition(partition: number): Promise<void> {
    if (partition < this.partitions) return;
    const { admin, stateTopic } = this.options;
    this.partitions = await admin.partitionCount(stateTopic);
    if (partition < this.partitions) return;
    throw new CheckpointMismatchError(
      `partition ${partition} of the events topic was assigned (partitions were added to it), but state topic ${stateTopic} has ${this.partitions} partitions: add partitions to it (kafka-topics.sh --alter --topic ${stateTopic} --partitions <the events topic's count>) or give another --state-topic`,
    );
  }

  /**
   * The partition's newest two checkpoints of this job, newest first, and the records on the way
   * that were not checkpoints. Read from the partition's end back: a takeover reads the newest
   * checkpoints, not every one written since the last compaction.
   */
  async loadAll(partition: number): Promise<{ checkpoints: PartitionCheckpoint[]; unusable: Unusable[] }> {
    const { stateTopic } = this.options;
    await this.checkHasPartition(partition);
    const checkpoints: PartitionCheckpoint[] = [];
    const unusable: Unusable[] = [];
    await readFromEnd(this.options, stateTopic, partition, (window) => {
      for (const run of window.reverse()) {
        for (let i = run.count - 1; i >= 0 && checkpoints.length < 2; i--) {
          const start = run.valueStarts[i]!;
          if (start < 0) continue;
          const path = `${stateTopic}[${partition}]@${run.offsets[i]}`;
          let checkpoint: PartitionCheckpoint;
          try {
            checkpoint = decodePartitionCheckpoint(run.values.subarray(start, run.valueEnds[i]!));
          } catch (error) {
            unusable.push({ path, reason: `${path} is unusable (${(error as Error).message})` });
            continue;
          }
          if (checkpoint.job !== this.job || checkpoint.partition !== partition) {
            throw new CheckpointMismatchError(
              `${path} is a checkpoint of another job (${checkpoint.job}, partition ${checkpoint.partition}), not of this one (${this.job}); give another --state-topic`,
            );
          }
          checkpoints.push(checkpoint);
        }
      }
      return checkpoints.length === 2;
    });
    return { checkpoints, unusable };
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
    return (await this.writeRecord(checkpoint, replace, commitPoint)).bytes;
  }

  /**
   * Whether the partition's newest checkpoint in the topic is still the record at `offset` of the
   * topic with id `topicId` (where writeRecord put it): nothing committed since, the topic not
   * created again.
   */
  isNewest(partition: number, topicId: string, offset: number): Promise<boolean> {
    return isNewestRecord(this.options, this.options.stateTopic, partition, topicId, offset);
  }

  /**
   * Writes a checkpoint as write does; resolves with its size in bytes (0: not written) and where
   * it went: the state topic's id and the record's offset.
   */
  async writeRecord(
    checkpoint: PartitionCheckpoint,
    replace?: () => boolean,
    commitPoint?: CommitPoint,
  ): Promise<{ bytes: number; encoded?: Uint8Array; topicId?: string | undefined; offset?: number }> {
    const bytes = encodePartitionCheckpoint(checkpoint);
    if (bytes.byteLength > MAX_CHECKPOINT_BYTES) {
      throw new CheckpointWriteError(
        `the checkpoint of partition ${checkpoint.partition} is ${bytes.byteLength} bytes, more than the state topic takes (${MAX_CHECKPOINT_BYTES})`,
      );
    }
    if (replace !== undefined && !replace()) {
      await commitPoint?.skip();
      return { bytes: 0 };
    }
    const { topicId } = this;
    const key = Buffer.from(`${checkpoint.topic}:${checkpoint.partition}`);
    if (commitPoint !== undefined) {
      const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const offset = await commitPoint.commit(this.options.stateTopic, [{ key, value }], checkpoint.offset);
      return offset === undefined
        ? { bytes: 0 }
        : { bytes: bytes.byteLength, encoded: bytes, topicId, offset };
    }
    let offset: number | undefined;
    try {
      const sent = await this.options.producer.send(
        this.options.stateTopic,
        {
          count: 1,
          keys: key,
          keyBytes: key.length,
          values: bytes,
          valueStarts: Int32Array.of(0),
          valueEnds: Int32Array.of(bytes.byteLength),
        },
        checkpoint.partition,
      );
      offset = sent.get(checkpoint.partition);
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointWriteError(
        `cannot write the checkpoint of partition ${checkpoint.partition} to topic ${this.options.stateTopic}: ${(error as Error).message}`,
        error,
      );
    }
    return { bytes: bytes.byteLength, encoded: bytes, topicId, ...(offset === undefined ? {} : { offset }) };
  }
}
