import type { ClusterAdmin, TopicOffsets } from '../client/client.js';

/**
 * Whether a group is done with a topic's range: every partition's committed offset has reached
 * the range's end, or the partition had nothing to read (start = end).
 */
export function groupReachedEnd(committed: readonly number[], range: TopicOffsets): boolean {
  return range.end.every(
    (end, partition) => end <= range.start[partition]! || (committed[partition] ?? -1) >= end,
  );
}

export interface GroupEndOptions {
  admin: ClusterAdmin;
  groupId: string;
  topic: string;
  /** The topic's offsets when the job started: the bounded run's range. */
  range: TopicOffsets;
  intervalMs?: number;
  signal?: AbortSignal;
  /** How long reading the offsets may fail in a row (a broker restarting) before it gives up, in ms. */
  toleranceMs?: number;
}

/**
 * Polls the group's committed offsets until they reach the range's end on every partition,
 * whichever member committed them: resolves true then, or false once `signal` aborts. A member
 * that is done with its own partitions keeps its place in the group (ready to take others over)
 * until the whole range is done, so the members of a bounded run finish together.
 */
export async function waitForGroupEnd(options: GroupEndOptions): Promise<boolean> {
  const { admin, groupId, topic, range, signal } = options;
  const intervalMs = options.intervalMs ?? 250;
  let failingSince: number | undefined;
  while (!signal?.aborted) {
    let committed: number[] | undefined;
    try {
      committed = await admin.committedOffsets(groupId, topic);
      failingSince = undefined;
    } catch (error) {
      failingSince ??= Date.now();
      if (Date.now() - failingSince >= (options.toleranceMs ?? 0)) throw error;
    }
    if (committed !== undefined && groupReachedEnd(committed, range)) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, intervalMs);
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }
  return false;
}
