import type { BrokerAddress, BrokerConnection } from './broker-connection.js';

const FIND_COORDINATOR = 10;
const VERSION = 3;

/** What a coordinator is found for: a consumer group, or a transactional id. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;
export type CoordinatorType = (typeof CoordinatorType)[keyof typeof CoordinatorType];

export interface Coordinator extends BrokerAddress {
  errorCode: number;
  errorMessage: string | null;
  /** The coordinator broker's node id (-1 when the lookup failed). */
  node: number;
}

/**
 * FindCoordinator (v3, Kafka 2.4+): the broker that coordinates a group or a transactional id.
 * COORDINATOR_NOT_AVAILABLE while the cluster starts (its internal topic not yet made) is the
 * caller's to retry.
 */
export async function findCoordinator(
  connection: BrokerConnection,
  key: string,
  type: CoordinatorType,
): Promise<Coordinator> {
  const reader = await connection.request(FIND_COORDINATOR, VERSION, 'FindCoordinator response', (writer) =>
    writer.compactString(key).int8(type).tags(),
  );
  reader.int32(); // throttle time
  const errorCode = reader.int16();
  const errorMessage = reader.compactString();
  const node = reader.int32();
  const host = reader.compactString() ?? '';
  const port = reader.int32();
  reader.tags();
  return { errorCode, errorMessage, node, host, port };
}
