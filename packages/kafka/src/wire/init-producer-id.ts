import type { BrokerConnection } from './broker-connection.js';

const INIT_PRODUCER_ID = 22;
const VERSION = 4;

export interface ProducerIdentity {
  /** The error code, else 0 (CONCURRENT_TRANSACTIONS: the id's earlier transaction is still ending). */
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/**
 * InitProducerId (v4: the first with PRODUCER_FENCED, KIP-588) of a transactional id, sent to its transaction coordinator: the
 * id's producer id with a new epoch, which fences every earlier producer of the id and aborts its
 * open transaction. Asked as a new producer (no earlier producer id or epoch).
 */
export async function initProducerId(
  connection: BrokerConnection,
  transactionalId: string,
  transactionTimeoutMs: number,
): Promise<ProducerIdentity> {
  const reader = await connection.request(INIT_PRODUCER_ID, VERSION, 'InitProducerId response', (writer) =>
    writer.compactString(transactionalId).int32(transactionTimeoutMs).int64(-1).int16(-1).tags(),
  );
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  const producerId = reader.int64();
  const producerEpoch = reader.int16();
  reader.tags();
  return { errorCode, producerId, producerEpoch };
}
