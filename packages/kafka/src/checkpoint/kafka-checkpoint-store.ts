import { CheckpointError, CheckpointMismatchError, CheckpointWriteError } from '@statecraft/engine';
import type { ClusterAdmin } from '../client/client.js';
import { KafkaError, TopicNotFoundError } from '../errors.js';
import type { ColumnarProducer } from '../wire/columnar-producer.js';
import { type PartitionReaderOptions, readWholePartition } from '../wire/partition-reader.js';
import {
  decodePartitionCheckpoint,
  encodePartitionCheckpoint,
  type PartitionCheckpoint,
} from './partition-checkpoint.js';
import { type CheckpointStore, stateLost, type Unusable } from './partition-checkpoint-store.js';
import type { CommitPoint } from './partition-checkpointer.js';

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
      return { created: true };
    }
    if (existing < partitions) {
      throw new KafkaError(
        `state topic ${stateTopic} has ${existing} partitions, fewer than the events topic's ${partitions}: give another --state-topic`,
      );
    }
    return { created: false };
  }

  async loadAll(partition: number): Promise<{ checkpoints: PartitionCheckpoint[]; unusable: Unusable[] }> {
    const runs = await readWholePartition(this.options, this.options.stateTopic, partition);
    const found: { checkpoint: PartitionCheckpoint; offset: number }[] = [];
    const unusable: Unusable[] = [];
    for (const run of runs) {
      for (let i = 0; i < run.count; i++) {
        const start = run.valueStarts[i]!;
        if (start < 0) continue;
        const path = `${this.options.stateTopic}[${partition}]@${run.offsets[i]}`;
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
        found.push({ checkpoint, offset: run.offsets[i]! });
      }
    }
    const newestFirst = found.reverse().map(({ checkpoint }) => checkpoint);
    return { checkpoints: newestFirst.slice(0, 2), unusable };
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
    const bytes = encodePartitionCheckpoint(checkpoint);
    if (bytes.byteLength > MAX_CHECKPOINT_BYTES) {
      throw new CheckpointWriteError(
        `the checkpoint of partition ${checkpoint.partition} is ${bytes.byteLength} bytes, more than the state topic takes (${MAX_CHECKPOINT_BYTES})`,
      );
    }
    if (replace !== undefined && !replace()) {
      await commitPoint?.skip();
      return 0;
    }
    const key = Buffer.from(`${checkpoint.topic}:${checkpoint.partition}`);
    if (commitPoint !== undefined) {
      const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const committed = await commitPoint.commit(
        this.options.stateTopic,
        [{ key, value }],
        checkpoint.offset,
      );
      return committed ? bytes.byteLength : 0;
    }
    try {
      await this.options.producer.send(
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
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointWriteError(
        `cannot write the checkpoint of partition ${checkpoint.partition} to topic ${this.options.stateTopic}: ${(error as Error).message}`,
        error,
      );
    }
    return bytes.byteLength;
  }
}
