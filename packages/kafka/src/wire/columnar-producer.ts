import { KafkaError, KafkaRefusedError, TopicNotFoundError } from '../errors.js';
import { BrokerPool } from './broker-pool.js';
import { describeError, ErrorCode, errorName, isRetriable } from './error-codes.js';
import { existingTopic } from './metadata.js';
import { murmur2 } from './murmur2.js';
import { type PartitionBatch, type PartitionResult, produce } from './produce.js';
import { encodeRecordBatch, maxRecordBytes, type RecordColumns } from './record-batch-encoder.js';

export interface ColumnarProducerOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  /** Bound on connecting and on a send's retries (leader changes, a broker restarting), in ms. */
  timeoutMs: number;
  /** Largest record batch, in bytes (the broker's default `message.max.bytes` is 1 MiB). */
  maxBatchBytes?: number;
}

interface TopicRoute {
  /** leaders[p]: the node id of partition p's leader (-1 while it has none). */
  leaders: Int32Array;
}

const DEFAULT_MAX_BATCH_BYTES = 1_000_000;
const ACKS_ALL = -1;

/**
 * A producer of keyed records held in columns (no object per record), on Statecraft's own
 * implementation of the Produce request: records go to the partition Kafka's default partitioner
 * gives their key (murmur2, as a JVM producer), are encoded straight into uncompressed record
 * batches, and are acknowledged by every in-sync replica (acks=all). A send keeps each partition's
 * records in order: one request per leader at a time, a partition's next batch only after its
 * previous one was acknowledged; retriable errors (a leader moving, a broker restarting) are
 * retried with fresh metadata until `timeoutMs`.
 */
export class ColumnarProducer {
  private readonly pool: BrokerPool;
  private readonly routes = new Map<string, TopicRoute>();
  private readonly maxBatchBytes: number;

  constructor(private readonly options: ColumnarProducerOptions) {
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.pool = new BrokerPool(options);
  }

  async connect(): Promise<void> {
    await this.pool.bootstrapConnection();
  }

  /** The number of partitions of `topic` (TopicNotFoundError when it does not exist). */
  async partitionCount(topic: string): Promise<number> {
    return (await this.route(topic)).leaders.length;
  }

  /**
   * Writes the records, each to its key's partition (or all to `partition`), and resolves once
   * all are acknowledged, with the offset of the last record each partition took.
   */
  async send(topic: string, records: RecordColumns, partition?: number): Promise<Map<number, number>> {
    const lastOffsets = new Map<number, number>();
    if (records.count === 0) return lastOffsets;
    const deadline = Date.now() + this.options.timeoutMs;
    // Cut into batches once the partition count is known (the cluster may be away at first).
    let queues: Uint8Array[][] | undefined;
    let lastProblem = '';
    for (let attempt = 0; queues === undefined || queues.some((queue) => queue.length > 0); ) {
      let retry = false;
      try {
        const route = await this.route(topic);
        if (queues === undefined) {
          const partitions = route.leaders.length;
          if (partition !== undefined && !(partition >= 0 && partition < partitions)) {
            throw new KafkaRefusedError(
              `topic ${topic} has no partition ${partition} (it has ${partitions})`,
            );
          }
          queues = this.batchesByPartition(records, partitions, partition);
        }
        const byLeader = new Map<number, PartitionBatch[]>();
        for (const [partition, queue] of queues.entries()) {
          const head = queue[0];
          if (head === undefined) continue;
          const leader = route.leaders[partition]!;
          const list = byLeader.get(leader) ?? [];
          list.push({ partition, batch: head });
          byLeader.set(leader, list);
        }
        const outcomes = await Promise.all(
          [...byLeader].map(([leader, batches]) => this.sendTo(leader, topic, batches)),
        );
        for (const outcome of outcomes) {
          for (const { partition, lastOffset } of outcome.acknowledged) {
            queues[partition]!.shift();
            lastOffsets.set(partition, lastOffset);
          }
          if (outcome.fatal) {
            const { problem, errorCode } = outcome.fatal;
            throw new KafkaRefusedError(`cannot send to topic ${topic}: ${problem}`, errorCode);
          }
          if (outcome.retriable) {
            retry = true;
            lastProblem = outcome.retriable;
          }
        }
      } catch (error) {
        if (
          error instanceof TopicNotFoundError ||
          error instanceof KafkaRefusedError ||
          !(error instanceof KafkaError)
        ) {
          throw error;
        }
        // Metadata could not be read (the bootstrap broker restarting, say): try again.
        retry = true;
        lastProblem = error.message;
      }
      if (!retry) continue;
      if (Date.now() > deadline) {
        throw new KafkaError(
          `cannot send to topic ${topic} within ${this.options.timeoutMs} ms: ${lastProblem}`,
        );
      }
      this.routes.delete(topic);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt++)));
    }
    return lastOffsets;
  }

  /** One Produce request to a leader: which partitions it acknowledged, and what went wrong with the others. */
  private async sendTo(
    leader: number,
    topic: string,
    batches: PartitionBatch[],
  ): Promise<{
    acknowledged: Acknowledged[];
    retriable?: string;
    fatal?: { problem: string; errorCode: number };
  }> {
    const acknowledged: Acknowledged[] = [];
    if (leader < 0)
      return {
        acknowledged,
        retriable: `no leader for partitions ${batches.map((b) => b.partition).join(', ')}`,
      };
    let results: PartitionResult[];
    try {
      results = await produce(
        await this.pool.connection(leader),
        topic,
        ACKS_ALL,
        this.options.timeoutMs,
        batches,
      );
    } catch (error) {
      // The connection was lost: the leader's requests go again on a new one (at least once).
      this.pool.forget(leader);
      return { acknowledged, retriable: (error as Error).message };
    }
    let retriable: string | undefined;
    for (const result of results) {
      const problem = `partition ${result.partition}: ${describeError(result.errorCode, result.message)}`;
      if (result.errorCode === ErrorCode.NONE) {
        const batch = batches.find((b) => b.partition === result.partition)!.batch;
        acknowledged.push({
          partition: result.partition,
          lastOffset: result.baseOffset + lastOffsetDelta(batch),
        });
      } else if (isRetriable(result.errorCode)) retriable = problem;
      else return { acknowledged, fatal: { problem, errorCode: result.errorCode } };
    }
    return retriable === undefined ? { acknowledged } : { acknowledged, retriable };
  }

  async disconnect(): Promise<void> {
    await this.pool.close();
  }

  /** Each partition's records, in order, cut into record batches of at most maxBatchBytes. */
  private batchesByPartition(records: RecordColumns, partitions: number, only?: number): Uint8Array[][] {
    const { count, keys, keyBytes, valueStarts, valueEnds } = records;
    const partitionOf = new Int32Array(count);
    const sizes = new Int32Array(partitions);
    for (let i = 0; i < count; i++) {
      const partition = only ?? (murmur2(keys, i * keyBytes, keyBytes) & 0x7fffffff) % partitions;
      partitionOf[i] = partition;
      sizes[partition]!++;
    }
    // Counting sort by partition: each partition's record indexes, in record order.
    const starts = new Int32Array(partitions + 1);
    for (let p = 0; p < partitions; p++) starts[p + 1] = starts[p]! + sizes[p]!;
    const fill = starts.slice(0, partitions);
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[fill[partitionOf[i]!]!++] = i;

    const timestamp = Date.now();
    const queues: Uint8Array[][] = [];
    for (let p = 0; p < partitions; p++) {
      const queue: Uint8Array[] = [];
      let first = starts[p]!;
      const end = starts[p + 1]!;
      while (first < end) {
        let last = first;
        let bound = 0;
        while (last < end) {
          const i = order[last]!;
          const bytes = maxRecordBytes(keyBytes, valueEnds[i]! - valueStarts[i]!);
          if (last > first && bound + bytes > this.maxBatchBytes) break;
          bound += bytes;
          last++;
        }
        queue.push(encodeRecordBatch(records, order.subarray(first, last), last - first, timestamp, bound));
        first = last;
      }
      queues.push(queue);
    }
    return queues;
  }

  private async route(topic: string): Promise<TopicRoute> {
    const known = this.routes.get(topic);
    if (known) return known;
    const metadata = await this.pool.metadata([topic]);
    const found = existingTopic(metadata, topic, this.options.brokers);
    if (found.errorCode !== ErrorCode.NONE && !isRetriable(found.errorCode)) {
      throw new KafkaError(`cannot read the metadata of topic ${topic}: ${errorName(found.errorCode)}`);
    }
    const leaders = new Int32Array(found.partitions.length).fill(-1);
    for (const partition of found.partitions) leaders[partition.partition] = partition.leader;
    const route = { leaders };
    this.routes.set(topic, route);
    return route;
  }
}

interface Acknowledged {
  partition: number;
  /** The offset the partition gave the batch's last record. */
  lastOffset: number;
}

/** A record batch's last offset delta (bytes 23-26 of its header): its record count less one. */
function lastOffsetDelta(batch: Uint8Array): number {
  return new DataView(batch.buffer, batch.byteOffset, batch.byteLength).getInt32(23);
}
