import { KafkaError, KafkaRefusedError } from '../errors.js';
import { ErrorCode, errorName, isCoordinatorMoved } from './error-codes.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { fetchCommittedOffsets } from './offset-fetch.js';

/** How long to wait before asking again while a transaction holds a partition's offset open. */
const UNSTABLE_PAUSE_MS = 200;

/**
 * The group's committed offset of each partition (-1 where none), from its coordinator: looked up
 * again when it moved, asked again while an open transaction makes an offset unstable, until
 * `deadline` (a time in ms).
 */
export async function readCommittedOffsets(
  coordinator: GroupCoordinator,
  topic: string,
  partitions: readonly number[],
  deadline: number,
): Promise<Map<number, number>> {
  for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 1000)) {
    const connection = await coordinator.connection(deadline);
    let committed: Awaited<ReturnType<typeof fetchCommittedOffsets>>;
    try {
      committed = await fetchCommittedOffsets(connection, coordinator.groupId, topic, partitions);
    } catch (error) {
      coordinator.broken();
      throw error;
    }
    const errorCode = committed.errorCode || committed.partitionErrorCode;
    if (errorCode === ErrorCode.NONE) return committed.offsets;
    const reason = `cannot read the offsets of group ${coordinator.groupId}, topic ${topic}: ${errorName(errorCode)}`;
    const unstable = errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT;
    if (!unstable && !isCoordinatorMoved(errorCode)) throw new KafkaRefusedError(reason, errorCode);
    if (!unstable) coordinator.moved();
    const waitMs = unstable ? UNSTABLE_PAUSE_MS : pauseMs;
    if (Date.now() + waitMs > deadline) throw new KafkaError(reason);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
