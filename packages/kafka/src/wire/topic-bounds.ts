import { isRetriableTrouble, KafkaError, KafkaRefusedError } from '../errors.js';
import type { BrokerPool } from './broker-pool.js';
import { ErrorCode, errorName, isRetriable } from './error-codes.js';
import { listPartitionBounds } from './list-offsets.js';
import { existingTopic } from './metadata.js';

export interface TopicBounds {
  /** Each partition's first offset still kept, indexed by partition. */
  start: number[];
  /** Each partition's last stable offset (the end read_committed readers see), indexed by partition. */
  end: number[];
}

/**
 * Where each partition of a topic starts and ends (ListOffsets read_committed at each leader),
 * retrying while leaders move or a broker restarts, until `deadline` (a time in ms).
 */
export async function readTopicBounds(
  pool: BrokerPool,
  topic: string,
  deadline: number,
): Promise<TopicBounds> {
  for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1000)) {
    let trouble: Error;
    try {
      return await readOnce(pool, topic);
    } catch (error) {
      if (!isRetriableTrouble(error)) throw error;
      trouble = error as Error;
    }
    if (Date.now() + pauseMs > deadline) throw trouble;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

async function readOnce(pool: BrokerPool, topic: string): Promise<TopicBounds> {
  const metadata = await pool.metadata([topic]);
  const found = existingTopic(metadata, topic, pool.options.brokers);
  const byLeader = new Map<number, number[]>();
  for (const { partition, leader } of found.partitions) {
    if (leader < 0) throw new KafkaError(`topic ${topic}, partition ${partition} has no leader`);
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
  }
  const start = new Array<number>(found.partitions.length).fill(-1);
  const end = new Array<number>(found.partitions.length).fill(-1);
  await Promise.all(
    [...byLeader].map(async ([leader, partitions]) => {
      let bounds: Awaited<ReturnType<typeof listPartitionBounds>>;
      try {
        bounds = await listPartitionBounds(await pool.connection(leader), topic, partitions);
      } catch (error) {
        pool.forget(leader);
        throw error;
      }
      for (const { partition, errorCode, logStartOffset, lastStableOffset } of bounds) {
        if (errorCode !== ErrorCode.NONE) {
          const reason = `cannot list the offsets of topic ${topic}, partition ${partition}: ${errorName(errorCode)}`;
          throw isRetriable(errorCode) ? new KafkaError(reason) : new KafkaRefusedError(reason, errorCode);
        }
        start[partition] = logStartOffset;
        end[partition] = lastStableOffset;
      }
    }),
  );
  return { start, end };
}
