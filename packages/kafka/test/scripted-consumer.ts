import type { FetchedBatch, GroupConsumer, GroupListener, PartitionOffset } from '../src/client/client.js';
import { flinkRecord, recordRun } from './helpers.js';

/**
 * The consumer side of the client interface, driven by the test: it replays exactly the
 * interleavings of fetches, rebalances and commits that a live group produces only by chance.
 * (The live group is exercised against the broker in group-rebalance.test.ts.)
 */
export class ScriptedConsumer implements GroupConsumer {
  listener!: GroupListener;
  readonly commits: PartitionOffset[][] = [];
  readonly paused: number[] = [];
  /** Whether commits are accepted (false: the group has moved on). */
  accepting = true;

  async start(listener: GroupListener): Promise<void> {
    this.listener = listener;
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<boolean> {
    if (!this.accepting) return false;
    this.commits.push([...offsets]);
    return true;
  }

  pause(partitions: readonly number[]): void {
    this.paused.push(...partitions);
  }

  resume(): void {}

  readonly seeks: PartitionOffset[] = [];

  seek(partition: number, offset: number): void {
    this.seeks.push({ partition, offset });
  }

  async stop(): Promise<void> {}

  /** The address of the record at `offset` of `partition` (a few addresses per partition, repeated). */
  address(partition: number, offset: number): number {
    return partition * 1000 + (offset % this.addressesPerPartition);
  }

  constructor(private readonly addressesPerPartition = 1_000_000) {}

  /** Delivers a fetch of `count` records of `partition` from `first`; resolves when the source took it. */
  fetch(partition: number, first: number, count: number): Promise<void> {
    const values = Array.from({ length: count }, (_, i) =>
      flinkRecord(this.address(partition, first + i), 0),
    );
    const batch: FetchedBatch = { partition, ...recordRun(values, first) };
    return this.listener.batch(batch, async () => undefined);
  }
}
