import { KafkaRefusedError } from '../errors.js';
import type { BrokerPool } from '../wire/broker-pool.js';
import { decodeSubscription, encodeAssignment, encodeSubscription } from '../wire/consumer-protocol.js';
import type { JoinGroupResult } from '../wire/group-requests.js';
import { RANGE_ASSIGNOR, rangeAssign } from '../wire/range-assignor.js';
import { KAFKAJS_ROUND_ROBIN, roundRobinAssign } from '../wire/round-robin-assignor.js';

/**
 * The protocols (assignors) a member joins with, preferred first: range, as Java consumers
 * prefer by default, then kafkajs's round robin, so that a group with kafkajs members (older
 * Statecraft processes) still forms. Each carries the member's subscription to `topic`.
 */
export function memberProtocols(topic: string): { name: string; metadata: Buffer }[] {
  const subscription = encodeSubscription([topic]);
  return [RANGE_ASSIGNOR, KAFKAJS_ROUND_ROBIN].map((name) => ({ name, metadata: subscription }));
}

export interface LeaderAssignment {
  assignments: { memberId: string; assignment: Buffer }[];
  /** The partition count of each topic the assignment was made from. */
  partitionCounts: Map<string, number>;
}

/**
 * The leader's assignment of every member, by the protocol the coordinator chose, from the
 * members' subscriptions and the topics' partition counts now.
 */
export async function assignPartitions(
  pool: BrokerPool,
  joined: JoinGroupResult,
  groupId: string,
  topic: string,
): Promise<LeaderAssignment> {
  const members = joined.members.map(({ memberId, metadata }) => ({
    memberId,
    topics: decodeSubscription(metadata),
  }));
  const protocol = joined.protocolName;
  if (protocol !== RANGE_ASSIGNOR && protocol !== KAFKAJS_ROUND_ROBIN) {
    throw new KafkaRefusedError(`group ${groupId} chose assignor ${protocol}, which this member lacks`);
  }
  // kafkajs's leader deals its own topics only; the range assignor every member's.
  const topics = protocol === RANGE_ASSIGNOR ? [...new Set(members.flatMap((m) => m.topics))] : [topic];
  const metadata = await pool.metadata(topics);
  const counts = new Map<string, number>();
  for (const { name, partitions } of metadata.topics) {
    if (partitions.length > 0) counts.set(name, partitions.length);
  }
  const assignment = (protocol === RANGE_ASSIGNOR ? rangeAssign : roundRobinAssign)(members, counts);
  return {
    assignments: [...assignment].map(([memberId, partitions]) => ({
      memberId,
      assignment: encodeAssignment(partitions),
    })),
    partitionCounts: new Map(topics.map((name) => [name, counts.get(name) ?? 0])),
  };
}

/**
 * Whether a topic the leader assigned now has another partition count than it assigned from (new
 * partitions were added): the leader then rejoins, and the group assigns them. Undefined when the
 * cluster could not say (asked again later).
 */
export async function partitionCountsChanged(
  pool: BrokerPool,
  assignedFrom: ReadonlyMap<string, number>,
): Promise<boolean | undefined> {
  try {
    const metadata = await pool.metadata([...assignedFrom.keys()]);
    return metadata.topics.some(
      ({ name, errorCode, partitions }) =>
        errorCode === 0 && assignedFrom.has(name) && partitions.length !== assignedFrom.get(name),
    );
  } catch {
    return undefined;
  }
}
