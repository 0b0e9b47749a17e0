import { KafkaError, KafkaRefusedError } from '../errors.js';
import type { BrokerPool } from '../wire/broker-pool.js';
import { describeError, ErrorCode, errorName, isRetriable } from '../wire/error-codes.js';
import { existingTopic } from '../wire/metadata.js';
import { partitionForKey } from '../wire/murmur2.js';
import { type PartitionBatch, type PartitionResult, produce } from '../wire/produce.js';
import { encodeRecordList, type KeyedRecord, sliceRecords } from '../wire/record-list-encoder.js';
import { overNetwork, type RetryPolicy, retrying, TryAgain } from './wire-retry.js';

const ACKS_ALL = -1;
/** How long a running producer rides out a cluster out of reach, unless the client says (ms). */
/** Largest record batch, in bytes (the broker's default `message.max.bytes` is 1 MiB). */
export const MAX_BATCH_BYTES = 1_000_000;

export interface WireRecordSenderOptions {
  brokers: readonly string[];
  /** The broker's bound on waiting for the in-sync replicas, in ms. */
  timeoutMs: number;
  /** How long sending rides out a cluster out of reach (or without a leader), in ms. */
  reconnectMs: number;
  /** True once the producer was disconnected (nothing is sent again). */
  stopped: () => boolean;
}

/**
 * Sends keyed records (with headers) on Statecraft's own Produce requests, shared by the plain and
 * the transactional producer: records go to the partition Kafka's default partitioner gives their
 * key (murmur2, as a JVM producer or kafkajs's DefaultPartitioner), acknowledged by every in-sync
 * replica. Each partition's batches go in order, one at a time, one request per leader; retriable
 * errors (a leader moving, a broker restarting) are retried with fresh metadata and a growing
 * pause until `reconnectMs` pass without progress; a retried batch is the same bytes, so an
 * idempotent producer's broker writes it once.
 */
export class WireRecordSender {
  private readonly leaders = new Map<string, Int32Array>();
  private readonly policy: RetryPolicy;

  constructor(
    private readonly pool: BrokerPool,
    private readonly options: WireRecordSenderOptions,
  ) {
    this.policy = {
      brokers: options.brokers,
      giveUpAfterMs: options.reconnectMs,
      firstPauseMs: 100,
      maxPauseMs: 2000,
      stopped: options.stopped,
    };
  }

  /** Each partition's records, in their order: all to `partition`, else each to its key's partition. */
  async partition<R extends KeyedRecord>(
    topic: string,
    records: readonly R[],
    partition?: number,
  ): Promise<Map<number, R[]>> {
    const partitions = (await retrying(`cannot send to topic ${topic}`, this.policy, () => this.route(topic)))
      .length;
    const byPartition = new Map<number, R[]>();
    if (partition !== undefined) {
      if (!(Number.isInteger(partition) && partition >= 0 && partition < partitions)) {
        throw new KafkaRefusedError(`topic ${topic} has no partition ${partition} (it has ${partitions})`);
      }
      byPartition.set(partition, [...records]);
      return byPartition;
    }
    for (const record of records) {
      const to = partitionForKey(record.key, 0, record.key.length, partitions);
      const list = byPartition.get(to);
      if (list === undefined) byPartition.set(to, [record]);
      else list.push(record);
    }
    return byPartition;
  }

  /** Sends records as a plain producer (no producer id); resolves once every in-sync replica has them. */
  async send(
    topic: string,
    records: readonly KeyedRecord[],
    partition?: number,
  ): Promise<Map<number, number>> {
    if (records.length === 0) return new Map();
    const timestamp = Date.now();
    const batches = new Map<number, Buffer[]>();
    for (const [to, list] of await this.partition(topic, records, partition)) {
      batches.set(
        to,
        sliceRecords(list, MAX_BATCH_BYTES).map((slice) => encodeRecordList(list, slice, timestamp)),
      );
    }
    return this.deliver(topic, batches, null);
  }

  /**
   * Sends each partition's batches in order (a transactional producer's name its id) and resolves
   * with the offset each partition gave its first batch's first record.
   */
  async deliver(
    topic: string,
    batches: ReadonlyMap<number, readonly Uint8Array[]>,
    transactionalId: string | null,
  ): Promise<Map<number, number>> {
    const queues = new Map([...batches].map(([partition, list]) => [partition, [...list]]));
    const baseOffsets = new Map<number, number>();
    const what = `cannot send to topic ${topic}`;
    while ([...queues.values()].some((queue) => queue.length > 0)) {
      await retrying(what, this.policy, () => this.round(topic, queues, baseOffsets, transactionalId));
    }
    return baseOffsets;
  }

  /** One request per leader, of each partition's next batch; TryAgain when a partition must wait. */
  private async round(
    topic: string,
    queues: Map<number, Uint8Array[]>,
    baseOffsets: Map<number, number>,
    transactionalId: string | null,
  ): Promise<void> {
    const leaders = await this.route(topic);
    const byLeader = new Map<number, PartitionBatch[]>();
    for (const [partition, queue] of queues) {
      const batch = queue[0];
      if (batch === undefined) continue;
      const leader = leaders[partition] ?? -1;
      const list = byLeader.get(leader) ?? [];
      list.push({ partition, batch });
      byLeader.set(leader, list);
    }
    const outcomes = await Promise.allSettled(
      [...byLeader].map(async ([leader, list]): Promise<PartitionResult[]> => {
        if (leader < 0)
          throw new TryAgain(`partitions ${list.map((b) => b.partition).join(', ')} have no leader`, true);
        return overNetwork(
          async () =>
            produce(
              await this.pool.connection(leader),
              topic,
              ACKS_ALL,
              this.options.timeoutMs,
              list,
              transactionalId,
            ),
          () => this.pool.forget(leader),
        );
      }),
    );
    let again: TryAgain | undefined;
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        if (!(outcome.reason instanceof TryAgain)) throw outcome.reason;
        again = outcome.reason;
        continue;
      }
      for (const { partition, errorCode, baseOffset, message } of outcome.value) {
        if (errorCode === ErrorCode.NONE) {
          queues.get(partition)?.shift();
          if (!baseOffsets.has(partition)) baseOffsets.set(partition, baseOffset);
        } else if (isRetriable(errorCode)) {
          again = new TryAgain(`partition ${partition}: ${errorName(errorCode)}`, true);
        } else {
          throw new KafkaRefusedError(
            `cannot send to topic ${topic} partition ${partition}: ${describeError(errorCode, message)}`,
            errorCode,
          );
        }
      }
    }
    if (again !== undefined) {
      this.leaders.delete(topic);
      throw again;
    }
  }

  /** Each partition's leader (-1 while it has none); TopicNotFoundError when the topic does not exist. */
  private async route(topic: string): Promise<Int32Array> {
    const known = this.leaders.get(topic);
    if (known) return known;
    const metadata = await overNetwork(
      () => this.pool.metadata([topic]),
      () => undefined,
    );
    const found = existingTopic(metadata, topic, this.options.brokers);
    if (found.errorCode !== ErrorCode.NONE) {
      if (isRetriable(found.errorCode))
        throw new TryAgain(`topic ${topic}: ${errorName(found.errorCode)}`, true);
      throw new KafkaError(`cannot read the metadata of topic ${topic}: ${errorName(found.errorCode)}`);
    }
    const leaders = new Int32Array(found.partitions.length).fill(-1);
    for (const partition of found.partitions) leaders[partition.partition] = partition.leader;
    this.leaders.set(topic, leaders);
    return leaders;
  }
}
