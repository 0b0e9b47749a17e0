/** A group member as the leader sees it in JoinGroup: its id and the topics it subscribes to. */
export interface SubscribedMember {
  memberId: string;
  topics: readonly string[];
}

/** The protocol name Java's RangeAssignor and other clients' range assignors join with. */
export const RANGE_ASSIGNOR = 'range';

/**
 * Java's RangeAssignor, topic by topic: the members subscribed to a topic, in member id order,
 * each take a contiguous range of its partitions; the first `partitions % members` take one more.
 * (Java sorts by group instance id where members have one; Statecraft's members are not static.)
 * Every member gets an entry, empty when it is given nothing.
 */
export function rangeAssign(
  members: readonly SubscribedMember[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const assignment = new Map(members.map(({ memberId }) => [memberId, new Map<string, number[]>()]));
  for (const [topic, count] of partitionCounts) {
    const subscribed = members
      .filter(({ topics }) => topics.includes(topic))
      .map(({ memberId }) => memberId)
      .sort(compareIds);
    if (subscribed.length === 0) continue;
    const each = Math.floor(count / subscribed.length);
    const extra = count % subscribed.length;
    subscribed.forEach((memberId, i) => {
      const start = each * i + Math.min(i, extra);
      const length = each + (i < extra ? 1 : 0);
      const partitions = Array.from({ length }, (_, k) => start + k);
      assignment.get(memberId)!.set(topic, partitions);
    });
  }
  return assignment;
}

/** Java's String.compareTo (UTF-16 code units), which member ids sort by. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
