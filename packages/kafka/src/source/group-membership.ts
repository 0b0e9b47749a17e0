import { ProgressSignal } from '@statecraft/engine';
import type { PartitionSplit } from './partition-split.js';

/**
 * Whether this member may still write for a partition. From the moment a rebalance begins until
 * the new assignment is known, no one may: the partition may be moving, and its next owner cuts
 * its alert file back to the last checkpoint before reading on. Writers ask `owns` first, so
 * nothing of a revoked partition is written after its new owner took it over. (A member that
 * stops heartbeating longer than the session timeout, suspended say, is out of the group before
 * it learns so, and may still write meanwhile.)
 */
export class GroupMembership {
  private rebalancing = false;
  private left = false;
  private readonly settled = new ProgressSignal();

  /** A rebalance began. */
  begin(): void {
    this.rebalancing = true;
  }

  /** The member knows its assignment again. */
  end(): void {
    this.rebalancing = false;
    this.settled.notify();
  }

  /** The consumer failed: nothing is this member's any more. */
  leave(): void {
    this.left = true;
    this.settled.notify();
  }

  /** Waits for a rebalance in progress to end; then whether the split is still this member's. */
  async owns(split: PartitionSplit): Promise<boolean> {
    while (this.rebalancing && split.owned && !this.left) await this.settled.wait();
    return split.owned && !this.left;
  }
}
