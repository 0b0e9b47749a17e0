import { KafkaError, TopicNotFoundError } from '../errors.js';
import type { BrokerConnection } from './broker-connection.js';
import { BrokerPool, type BrokerPoolOptions } from './broker-pool.js';
import { ErrorCode, errorName, isRetriable } from './error-codes.js';
import { fetchRecords } from './fetch.js';
import { listPartitionBounds } from './list-offsets.js';
import type { RecordRun } from './record-batch-decoder.js';

export type PartitionReaderOptions = BrokerPoolOptions;

/** Offsets a window back from the end starts with; each next window is this many times larger. */
const FIRST_WINDOW = 8;

/** One partition of a topic, as its leader reports it. */
interface OpenPartition {
  connection: BrokerConnection;
  /** The topic's id (a topic created again under the same name has a new one). */
  topicId: string;
  logStartOffset: number;
  lastStableOffset: number;
}

/** Every committed record of one partition, from its start to its last stable offset. */
export async function readWholePartition(
  options: PartitionReaderOptions,
  topic: string,
  partition: number,
): Promise<RecordRun[]> {
  return withPartition(options, topic, partition, (open, deadline) =>
    readRange(open.connection, topic, partition, open.logStartOffset, open.lastStableOffset, deadline),
  );
}

/**
 * A state topic's partition read from its end back (read_committed): the committed records of a
 * window before its last stable offset, then of a larger window before that, and so on to its
 * start, until `enough` says so. A takeover needs the newest checkpoint or two, not every one
 * written since the last compaction. `enough` is given each window's records in offset order.
 */
export async function readFromEnd(
  options: PartitionReaderOptions,
  topic: string,
  partition: number,
  enough: (window: RecordRun[]) => boolean,
): Promise<void> {
  await withPartition(options, topic, partition, async (open, deadline) => {
    let to = open.lastStableOffset;
    for (let size = FIRST_WINDOW; to > open.logStartOffset; size *= FIRST_WINDOW) {
      const from = Math.max(open.logStartOffset, to - size);
      if (enough(await readRange(open.connection, topic, partition, from, to, deadline))) return;
      to = from;
    }
  });
}

/**
 * Whether `offset` is the partition's newest committed record: the topic is still the one with id
 * `topicId`, the record is still kept, and no committed record follows it (only transaction
 * markers and aborted records, which read_committed readers skip).
 */
export async function isNewestRecord(
  options: PartitionReaderOptions,
  topic: string,
  partition: number,
  topicId: string,
  offset: number,
): Promise<boolean> {
  return withPartition(options, topic, partition, async (open, deadline) => {
    if (open.topicId !== topicId) return false;
    if (offset < open.logStartOffset || offset >= open.lastStableOffset) return false;
    const after = await readRange(
      open.connection,
      topic,
      partition,
      offset + 1,
      open.lastStableOffset,
      deadline,
    );
    return after.every((run) => run.count === 0);
  });
}

/** The topic's id: a topic deleted and created again under its name has a new one. */
export async function topicIdOf(options: PartitionReaderOptions, topic: string): Promise<string> {
  const pool = new BrokerPool(options);
  try {
    const found = (await pool.metadata([topic])).topics.find((t) => t.name === topic);
    if (found === undefined || found.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new TopicNotFoundError(topic, options.brokers);
    }
    return found.id;
  } finally {
    await pool.close();
  }
}

async function withPartition<T>(
  options: PartitionReaderOptions,
  topic: string,
  partition: number,
  use: (open: OpenPartition, deadline: number) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const pool = new BrokerPool(options);
  try {
    // A topic just created may name a leader that does not lead yet (NOT_LEADER_OR_FOLLOWER),
    // or none: asked again until the deadline.
    for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 500)) {
      const metadata = await pool.metadata([topic]);
      const found = metadata.topics.find((t) => t.name === topic);
      if (found === undefined || found.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new TopicNotFoundError(topic, options.brokers);
      }
      const leader = found.partitions[partition]?.leader ?? -1;
      let problem = `topic ${topic}, partition ${partition} has no leader`;
      if (leader >= 0) {
        const connection = await pool.connection(leader);
        const [bounds] = await listPartitionBounds(connection, topic, [partition]);
        if (bounds?.errorCode === ErrorCode.NONE) {
          return await use({ connection, topicId: found.id, ...bounds }, deadline);
        }
        problem = `cannot list the offsets of topic ${topic}, partition ${partition}: ${errorName(bounds?.errorCode ?? -1)}`;
        if (bounds === undefined || !isRetriable(bounds.errorCode)) throw new KafkaError(problem);
      }
      if (Date.now() + pauseMs > deadline) throw new KafkaError(problem);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  } finally {
    await pool.close();
  }
}

/** The committed records of offsets [from, to), as the runs the fetches returned. */
async function readRange(
  connection: BrokerConnection,
  topic: string,
  partition: number,
  from: number,
  to: number,
  deadline: number,
): Promise<RecordRun[]> {
  const runs: RecordRun[] = [];
  let position = from;
  while (position < to) {
    if (Date.now() > deadline) {
      throw new KafkaError(`cannot read topic ${topic}, partition ${partition} in time`);
    }
    const [result] = await fetchRecords(connection, topic, [{ partition, offset: position }], {
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
    if (result.records.lastOffset < position) break;
    runs.push(within(result.records, position, to));
    position = result.records.lastOffset + 1;
  }
  return runs;
}

/** The run's records of offsets [from, to) (a fetch returns whole batches around them). */
function within(run: RecordRun, from: number, to: number): RecordRun {
  let first = 0;
  while (first < run.count && run.offsets[first]! < from) first++;
  let end = first;
  while (end < run.count && run.offsets[end]! < to) end++;
  if (first === 0 && end === run.count) return run;
  return {
    count: end - first,
    offsets: run.offsets.subarray(first, end),
    values: run.values,
    valueStarts: run.valueStarts.subarray(first, end),
    valueEnds: run.valueEnds.subarray(first, end),
    lastOffset: run.lastOffset,
  };
}
