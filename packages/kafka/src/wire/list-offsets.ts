import type { BrokerConnection } from './broker-connection.js';

const LIST_OFFSETS = 2;
const VERSION = 7;
const READ_COMMITTED = 1;
const LATEST = -1;
const EARLIEST = -2;

export interface PartitionBounds {
  partition: number;
  errorCode: number;
  /** The partition's first offset still kept. */
  logStartOffset: number;
  /** The end of what read_committed readers may see (before the first open transaction). */
  lastStableOffset: number;
}

/**
 * ListOffsets (v7, Kafka 2.8+) of one topic's partitions from their leader, read_committed: where
 * each partition starts and where its committed records end, without reading a record.
 */
export async function listPartitionBounds(
  connection: BrokerConnection,
  topic: string,
  partitions: readonly number[],
): Promise<PartitionBounds[]> {
  const [starts, ends] = await Promise.all(
    [EARLIEST, LATEST].map((timestamp) => listOffsets(connection, topic, partitions, timestamp)),
  );
  return partitions.map((partition, i) => ({
    partition,
    errorCode: starts![i]!.errorCode || ends![i]!.errorCode,
    logStartOffset: starts![i]!.offset,
    lastStableOffset: ends![i]!.offset,
  }));
}

async function listOffsets(
  connection: BrokerConnection,
  topic: string,
  partitions: readonly number[],
  timestamp: number,
): Promise<{ errorCode: number; offset: number }[]> {
  const reader = await connection.request(LIST_OFFSETS, VERSION, 'ListOffsets response', (writer) => {
    writer.int32(-1).int8(READ_COMMITTED);
    writer.compactArray([topic], (w, name) => {
      w.compactString(name);
      w.compactArray(partitions, (p, partition) => p.int32(partition).int32(-1).int64(timestamp).tags());
      w.tags();
    });
    writer.tags();
  });
  reader.int32(); // throttle time
  const found = new Map<number, { errorCode: number; offset: number }>();
  reader.compactArray((r) => {
    r.compactString();
    r.compactArray((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      p.int64(); // timestamp
      const offset = p.int64();
      p.int32(); // leader epoch
      p.tags();
      found.set(partition, { errorCode, offset });
    });
    r.tags();
  });
  return partitions.map((partition) => found.get(partition) ?? { errorCode: -1, offset: -1 });
}
