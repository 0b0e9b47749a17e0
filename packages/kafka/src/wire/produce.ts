import { type BrokerConnection, DEFAULT_REQUEST_TIMEOUT_MS } from './broker-connection.js';

const PRODUCE = 0;
const VERSION = 9;

export interface PartitionBatch {
  partition: number;
  batch: Uint8Array;
}

export interface PartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: number;
  message: string | null;
}

/**
 * Produce (v9, Kafka 2.4+) of one topic's batches, one per partition; resolves with each
 * partition's outcome. A transactional producer's batches name its `transactionalId`.
 */
export async function produce(
  connection: BrokerConnection,
  topic: string,
  acks: number,
  timeoutMs: number,
  batches: readonly PartitionBatch[],
  transactionalId: string | null = null,
): Promise<PartitionResult[]> {
  const reader = await connection.request(
    PRODUCE,
    VERSION,
    'Produce response',
    (writer) => {
      writer.compactString(transactionalId).int16(acks).int32(timeoutMs);
      writer.compactArray([topic], (w, name) => {
        w.compactString(name);
        w.compactArray(batches, (p, { partition, batch }) => p.int32(partition).compactBytes(batch).tags());
        w.tags();
      });
      writer.tags();
    },
    timeoutMs + DEFAULT_REQUEST_TIMEOUT_MS,
  );
  const results: PartitionResult[] = [];
  reader.compactArray((r) => {
    r.compactString();
    r.compactArray((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      const baseOffset = p.int64();
      p.int64(); // log append time
      p.int64(); // log start offset
      const recordErrors = p.compactArray((e) => {
        const index = e.int32();
        const message = e.compactString();
        e.tags();
        return `record ${index}: ${message ?? ''}`;
      });
      const message = p.compactString();
      p.tags();
      results.push({
        partition,
        errorCode,
        baseOffset,
        message: message ?? (recordErrors.join('; ') || null),
      });
    });
    r.tags();
  });
  reader.int32(); // throttle time
  reader.tags();
  return results;
}
