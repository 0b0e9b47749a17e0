import type { BrokerConnection } from './broker-connection.js';
import type { GroupGeneration } from './group-requests.js';

const OFFSET_COMMIT = 8;
const VERSION = 8;

/**
 * OffsetCommit v8 (Kafka 2.4+) of one topic's partitions, for a generation of the group: the
 * coordinator refuses a generation the group has left (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * REBALANCE_IN_PROGRESS). Resolves with the first error of any partition, else 0.
 */
export async function commitOffsets(
  connection: BrokerConnection,
  generation: GroupGeneration,
  topic: string,
  offsets: readonly { partition: number; offset: number }[],
): Promise<number> {
  const reader = await connection.request(OFFSET_COMMIT, VERSION, 'OffsetCommit response', (writer) => {
    writer.compactString(generation.groupId).int32(generation.generationId);
    writer.compactString(generation.memberId).compactString(null); // no group instance id
    writer.compactArray([topic], (w, name) => {
      w.compactString(name);
      // No leader epoch (-1) and no metadata: the broker then skips the epoch check.
      w.compactArray(offsets, (p, { partition, offset }) =>
        p.int32(partition).int64(offset).int32(-1).compactString(null).tags(),
      );
      w.tags();
    });
    writer.tags();
  });
  reader.int32(); // throttle time
  let errorCode = 0;
  reader.compactArray((r) => {
    r.compactString();
    r.compactArray((p) => {
      p.int32(); // partition
      const partitionError = p.int16();
      p.tags();
      if (errorCode === 0) errorCode = partitionError;
    });
    r.tags();
  });
  reader.tags();
  return errorCode;
}
