import type { BrokerConnection } from './broker-connection.js';

const OFFSET_FETCH = 9;
const VERSION = 7;

export interface CommittedOffsets {
  /** The group-level error (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS...), else 0. */
  errorCode: number;
  /** Each asked partition's committed offset (the next to read), -1 where the group has none. */
  offsets: Map<number, number>;
  /** The first partition-level error, else 0 (UNSTABLE_OFFSET_COMMIT: a transaction is still open). */
  partitionErrorCode: number;
}

/**
 * OffsetFetch (v7, Kafka 2.5+) of one topic's partitions from the group's coordinator, with
 * require_stable: an offset written by a transaction still open is not returned as committed
 * (the broker answers UNSTABLE_OFFSET_COMMIT until the transaction ends), so a member that takes
 * a partition over never starts from offsets that may yet be aborted.
 */
export async function fetchCommittedOffsets(
  connection: BrokerConnection,
  groupId: string,
  topic: string,
  partitions: readonly number[],
): Promise<CommittedOffsets> {
  const reader = await connection.request(OFFSET_FETCH, VERSION, 'OffsetFetch response', (writer) => {
    writer.compactString(groupId);
    writer.compactArray([topic], (w, name) => {
      w.compactString(name);
      w.compactArray(partitions, (p, partition) => p.int32(partition));
      w.tags();
    });
    writer.boolean(true).tags();
  });
  reader.int32(); // throttle time
  const offsets = new Map<number, number>();
  let partitionErrorCode = 0;
  reader.compactArray((r) => {
    r.compactString();
    r.compactArray((p) => {
      const partition = p.int32();
      const offset = p.int64();
      p.int32(); // committed leader epoch
      p.compactString(); // metadata
      const errorCode = p.int16();
      p.tags();
      if (errorCode !== 0 && partitionErrorCode === 0) partitionErrorCode = errorCode;
      offsets.set(partition, offset);
    });
    r.tags();
  });
  const errorCode = reader.int16();
  reader.tags();
  return { errorCode, offsets, partitionErrorCode };
}
