import type { GroupConsumer } from '../client/client.js';
import type { GroupMembership } from './group-membership.js';
import type { PartitionSplit } from './partition-split.js';

/**
 * Commits each owned split's written offset to the group, explicitly (never on a timer, as
 * a consumer's auto-commit would): an offset is committed only once every output of the records before it is
 * written, so a restart or a new owner never skips an event (at-least-once). One commit is in
 * flight at a time; offsets written meanwhile go in the next, at most one per `intervalMs`.
 * Commits wait while the group rebalances, and resume for the new assignment.
 */
export class OffsetCommitter {
  private paused = false;
  private running: Promise<void> | undefined;
  private again = false;
  private lastCommitAt = 0;

  constructor(
    private readonly consumer: GroupConsumer,
    private readonly splits: () => Iterable<PartitionSplit>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 100,
    /** Told when the group refuses a commit because it moved on (a rebalance, or this member was expelled). */
    private readonly membership?: GroupMembership,
  ) {}

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /** Commits what is written, now or after the commit in flight. */
  schedule(): void {
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Waits for the commit in flight, then commits whatever is still uncommitted. */
  async drain(): Promise<void> {
    while (this.running !== undefined) await this.running;
    if (!this.paused) await this.commitDue();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      if (this.paused) return;
      const wait = this.lastCommitAt + this.intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.paused) return;
      await this.commitDue();
    } while (this.again);
  }

  private async commitDue(): Promise<void> {
    const due: { split: PartitionSplit; offset: number }[] = [];
    for (const split of this.splits()) {
      const offset = split.uncommitted;
      if (offset !== undefined) due.push({ split, offset });
    }
    if (due.length === 0) return;
    this.lastCommitAt = performance.now();
    const assignment = this.membership?.assignment ?? 0;
    const committed = await this.consumer.commit(
      due.map(({ split, offset }) => ({ partition: split.partition, offset })),
    );
    if (!committed) {
      this.membership?.refused(assignment);
      return;
    }
    for (const { split, offset } of due) split.committedOffset = offset;
  }
}
