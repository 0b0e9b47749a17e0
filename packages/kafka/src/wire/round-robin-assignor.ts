import type { SubscribedMember } from './range-assignor.js';

/**
 * The protocol name of kafkajs's only built-in assignor. A Statecraft member offers it after
 * "range" so that it can share a group with kafkajs members (older Statecraft processes during an
 * upgrade): the coordinator then picks it, the one protocol every member supports.
 */
export const KAFKAJS_ROUND_ROBIN = 'RoundRobinAssigner';

/**
 * kafkajs's RoundRobinAssigner: the topics' partitions in order, dealt to the members sorted by
 * id. Every member gets an entry, empty when it is given nothing.
 */
export function roundRobinAssign(
  members: readonly SubscribedMember[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const assignment = new Map(members.map(({ memberId }) => [memberId, new Map<string, number[]>()]));
  const ids = members.map(({ memberId }) => memberId).sort();
  let next = 0;
  for (const [topic, count] of partitionCounts) {
    for (let partition = 0; partition < count; partition++) {
      const topics = assignment.get(ids[next++ % ids.length]!)!;
      const partitions = topics.get(topic) ?? [];
      partitions.push(partition);
      topics.set(topic, partitions);
    }
  }
  return assignment;
}
