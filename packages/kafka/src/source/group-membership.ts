import { ProgressSignal } from '@statecraft/engine';
import type { PartitionSplit } from './partition-split.js';

/**
 * Whether this member may still write for a partition. From the moment a rebalance begins (or a
 * commit is refused because the group moved on) until the new assignment is known, no one may:
 * the partition may be moving, and its next owner cuts its alert file back to the last checkpoint
 * before reading on. Writers ask `owns` first and register the write (`track`), so that the
 * member can wait for writes in flight before it rejoins. (A member that stops heartbeating
 * longer than the session timeout, suspended say, is out of the group before it learns so, and
 * may still write meanwhile.)
 */
export class GroupMembership {
  private rebalancing = false;
  private left = false;
  /** Assignments known so far: a refusal of an operation begun before the newest is old news. */
  private assignments = 0;
  private readonly settled = new ProgressSignal();
  private readonly inFlight = new Set<Promise<unknown>>();

  /** A rebalance began. */
  begin(): void {
    this.rebalancing = true;
  }

  /** The member knows its assignment again. */
  end(): void {
    this.rebalancing = false;
    this.assignments++;
    this.settled.notify();
  }

  /** Names the assignment an operation starts under, for `refused`. */
  get assignment(): number {
    return this.assignments;
  }

  /**
   * The group refused an operation begun under `assignment` (it moved on): a rebalance is under
   * way, unless the member has learnt a newer assignment since.
   */
  refused(assignment: number): void {
    if (assignment === this.assignments) this.begin();
  }

  /** Registers a write for a partition this member owns; resolves (or rejects) with it. */
  track<T>(write: Promise<T>): Promise<T> {
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return write;
  }

  /** Resolves once the writes in flight now have finished. */
  async writesSettled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** The consumer failed: nothing is this member's any more. */
  leave(): void {
    this.left = true;
    this.settled.notify();
  }

  /** Whether the split is this member's now, with no rebalance in progress. */
  mayWrite(split: PartitionSplit): boolean {
    return split.owned && !this.rebalancing && !this.left;
  }

  /** Waits for a rebalance in progress to end; then whether the split is still this member's. */
  async owns(split: PartitionSplit): Promise<boolean> {
    while (this.rebalancing && split.owned && !this.left) await this.settled.wait();
    return split.owned && !this.left;
  }
}
