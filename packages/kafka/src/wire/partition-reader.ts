import { KafkaError, TopicNotFoundError } from '../errors.js';
import { BrokerPool, type BrokerPoolOptions } from './broker-pool.js';
import { ErrorCode, errorName } from './error-codes.js';
import { fetchRecords } from './fetch.js';
import type { RecordRun } from './record-batch-decoder.js';

export type PartitionReaderOptions = BrokerPoolOptions;

/**
 * Every committed record of one partition (read_committed), from its start to its last stable
 * offset as the first fetch reports it, as the runs the fetches returned: what a takeover reads of
 * a state topic's partition.
 */
export async function readWholePartition(
  options: PartitionReaderOptions,
  topic: string,
  partition: number,
): Promise<RecordRun[]> {
  const deadline = Date.now() + options.timeoutMs;
  const pool = new BrokerPool(options);
  try {
    const metadata = await pool.metadata([topic]);
    const found = metadata.topics.find((t) => t.name === topic);
    if (found === undefined || found.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new TopicNotFoundError(topic, options.brokers);
    }
    const leader = found.partitions[partition]?.leader ?? -1;
    if (leader < 0) throw new KafkaError(`topic ${topic}, partition ${partition} has no leader`);
    const leaderConnection = await pool.connection(leader);
    const runs: RecordRun[] = [];
    let position = 0;
    let stop = Number.POSITIVE_INFINITY;
    while (position < stop) {
      if (Date.now() > deadline) {
        throw new KafkaError(
          `cannot read topic ${topic}, partition ${partition} within ${options.timeoutMs} ms`,
        );
      }
      const [result] = await fetchRecords(leaderConnection, topic, [{ partition, offset: position }], {
        maxWaitMs: 0,
        maxBytes: 64 * 1024 * 1024,
        partitionMaxBytes: 16 * 1024 * 1024,
      });
      if (result === undefined) break;
      if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && result.logStartOffset > position) {
        // The log starts later (records were deleted): start there.
        position = result.logStartOffset;
        continue;
      }
      if (result.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(
          `cannot read topic ${topic}, partition ${partition}: ${errorName(result.errorCode)}`,
        );
      }
      if (stop === Number.POSITIVE_INFINITY) stop = result.lastStableOffset;
      if (result.records.lastOffset < position) break;
      runs.push(result.records);
      position = result.records.lastOffset + 1;
    }
    return runs;
  } finally {
    await pool.close();
  }
}
