import type { BrokerConnection } from './broker-connection.js';
import { type AbortedTransaction, decodeRecordBatches, type RecordRun } from './record-batch-decoder.js';

const FETCH = 1;
const VERSION = 12;
const READ_COMMITTED = 1;

export interface FetchPosition {
  partition: number;
  offset: number;
}

export interface FetchOptions {
  maxWaitMs: number;
  /** Most bytes of the whole response. */
  maxBytes: number;
  /** Most bytes of one partition's records (a first batch larger than it still comes whole). */
  partitionMaxBytes: number;
}

export interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: number;
  /** The end of what read_committed readers may see (before the first open transaction). */
  lastStableOffset: number;
  /** The partition's first offset still kept. */
  logStartOffset: number;
  records: RecordRun;
}

/**
 * Fetch (v12, Kafka 2.7+; no fetch session) of one topic's partitions from their leader, with
 * read_committed isolation: a partition's records come back as columns (decodeRecordBatches),
 * straight from the response buffer.
 */
export async function fetchRecords(
  connection: BrokerConnection,
  topic: string,
  positions: readonly FetchPosition[],
  options: FetchOptions,
): Promise<FetchedPartition[]> {
  const reader = await connection.request(FETCH, VERSION, 'Fetch response', (writer) => {
    writer.int32(-1).int32(options.maxWaitMs).int32(1).int32(options.maxBytes).int8(READ_COMMITTED);
    writer.int32(0).int32(-1); // no fetch session: every fetch names its partitions
    writer.compactArray([topic], (w, name) => {
      w.compactString(name);
      w.compactArray(positions, (p, { partition, offset }) => {
        p.int32(partition)
          .int32(-1)
          .int64(offset)
          .int32(-1)
          .int64(-1)
          .int32(options.partitionMaxBytes)
          .tags();
      });
      w.tags();
    });
    writer.compactArray([], () => undefined); // forgotten topics
    writer.compactString('').tags();
  });
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  reader.int32(); // session id
  const partitions: FetchedPartition[] = [];
  reader.compactArray((r) => {
    r.compactString();
    r.compactArray((p) => {
      const partition = p.int32();
      const partitionError = p.int16() || errorCode;
      const highWatermark = p.int64();
      const lastStableOffset = p.int64();
      const logStartOffset = p.int64();
      const aborted: AbortedTransaction[] = [];
      const abortedCount = p.uvarint() - 1;
      for (let i = 0; i < abortedCount; i++) {
        const producerId = BigInt(p.int64());
        const firstOffset = p.int64();
        p.tags();
        aborted.push({ producerId, firstOffset });
      }
      p.int32(); // preferred read replica
      const range = p.compactBytesRange();
      p.tags();
      const records = decodeRecordBatches(p.buffer, range?.[0] ?? 0, range?.[1] ?? 0, partition, aborted);
      partitions.push({
        partition,
        errorCode: partitionError,
        highWatermark,
        lastStableOffset,
        logStartOffset,
        records,
      });
    });
    r.tags();
  });
  return partitions;
}
