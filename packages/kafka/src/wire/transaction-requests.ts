import type { BrokerConnection } from './broker-connection.js';
import { ErrorCode } from './error-codes.js';
import type { ProtocolReader } from './protocol-reader.js';

const ADD_PARTITIONS_TO_TXN = 24;
const ADD_OFFSETS_TO_TXN = 25;
const END_TXN = 26;
const TXN_OFFSET_COMMIT = 28;
/**
 * Version 3 of each: the first flexible one, and for AddPartitionsToTxn the last a client sends
 * (v4+ are the brokers' own, KIP-890). Every Kafka from 2.8 to 4.x serves them.
 */
const VERSION = 3;

/** A transactional producer as the coordinators know it. */
export interface TransactionalProducerId {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

/** AddPartitionsToTxn (v3): adds a topic's partitions to the open transaction; each partition's error code. */
export async function addPartitionsToTxn(
  connection: BrokerConnection,
  producer: TransactionalProducerId,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, number>> {
  const reader = await connection.request(
    ADD_PARTITIONS_TO_TXN,
    VERSION,
    'AddPartitionsToTxn response',
    (writer) => {
      writer.compactString(producer.transactionalId).int64(producer.producerId).int16(producer.producerEpoch);
      writer.compactArray([topic], (w, name) => {
        w.compactString(name);
        w.compactArray(partitions, (p, partition) => p.int32(partition));
        w.tags();
      });
      writer.tags();
    },
  );
  return throttleAndPartitionErrors(reader);
}

/** AddOffsetsToTxn (v3): the group's offsets will be committed with the transaction; the error code. */
export async function addOffsetsToTxn(
  connection: BrokerConnection,
  producer: TransactionalProducerId,
  groupId: string,
): Promise<number> {
  const reader = await connection.request(ADD_OFFSETS_TO_TXN, VERSION, 'AddOffsetsToTxn response', (writer) =>
    writer
      .compactString(producer.transactionalId)
      .int64(producer.producerId)
      .int16(producer.producerEpoch)
      .compactString(groupId)
      .tags(),
  );
  return throttleAndErrorCode(reader);
}

/** EndTxn (v3): commits (`commit`) or aborts the open transaction; the error code. */
export async function endTxn(
  connection: BrokerConnection,
  producer: TransactionalProducerId,
  commit: boolean,
): Promise<number> {
  const reader = await connection.request(END_TXN, VERSION, 'EndTxn response', (writer) =>
    writer
      .compactString(producer.transactionalId)
      .int64(producer.producerId)
      .int16(producer.producerEpoch)
      .boolean(commit)
      .tags(),
  );
  return throttleAndErrorCode(reader);
}

/**
 * TxnOffsetCommit (v3), sent to the group's coordinator: the group's offsets of a topic's
 * partitions, committed when the transaction is. As a producer outside the group (generation -1,
 * no member id), as kafkajs sends it. Each partition's error code.
 */
export async function txnOffsetCommit(
  connection: BrokerConnection,
  producer: TransactionalProducerId,
  groupId: string,
  topic: string,
  offsets: readonly { partition: number; offset: number }[],
): Promise<Map<number, number>> {
  const reader = await connection.request(
    TXN_OFFSET_COMMIT,
    VERSION,
    'TxnOffsetCommit response',
    (writer) => {
      writer.compactString(producer.transactionalId).compactString(groupId);
      writer.int64(producer.producerId).int16(producer.producerEpoch);
      writer.int32(-1).compactString('').compactString(null); // generation, member id, group instance id
      writer.compactArray([topic], (w, name) => {
        w.compactString(name);
        w.compactArray(offsets, (p, { partition, offset }) =>
          p.int32(partition).int64(offset).int32(-1).compactString(null).tags(),
        );
        w.tags();
      });
      writer.tags();
    },
  );
  return throttleAndPartitionErrors(reader);
}

/** A response of one topic's partitions: each partition's error code. */
function throttleAndPartitionErrors(reader: ProtocolReader): Map<number, number> {
  reader.int32(); // throttle time
  const errors = new Map<number, number>();
  reader.compactArray((r) => {
    r.compactString(); // topic
    r.compactArray((p) => {
      const partition = p.int32();
      errors.set(partition, p.int16());
      p.tags();
    });
    r.tags();
  });
  reader.tags();
  return errors;
}

function throttleAndErrorCode(reader: ProtocolReader): number {
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  reader.tags();
  return errorCode;
}

/** A per-partition answer's error: the first real one (the others' are OPERATION_NOT_ATTEMPTED), else 0. */
export function firstPartitionError(errors: ReadonlyMap<number, number>): number {
  let found: number = ErrorCode.NONE;
  for (const code of errors.values()) {
    if (code !== ErrorCode.NONE && code !== ErrorCode.OPERATION_NOT_ATTEMPTED) return code;
    if (code !== ErrorCode.NONE) found = code;
  }
  return found;
}
