import type { StatecraftError } from '../errors.js';
import type { KeyedState } from '../operator.js';
import type { OutputSink } from '../sinks/sink.js';
import type { SplitState } from '../sources/parallel-source.js';
import { mergeRejects, type RejectReason } from '../sources/reject.js';
import type { Checkpoint, JobStart } from './checkpoint.js';
import { CheckpointWriteError } from './checkpoint-errors.js';
import { type CheckpointDue, type CheckpointInterval, CheckpointSchedule } from './checkpoint-schedule.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { concatKeyedStates } from './keyed-state.js';

export interface CheckpointPolicy extends CheckpointInterval {
  store: CheckpointStore;
  /** The job's identity, stored in every checkpoint and compared on resume. */
  job: string;
}

/**
 * Complete checkpoints being written or waiting for the write before them: each holds a copy of the
 * state. (Those still collecting reports are bounded by the grant window: their chunks are granted,
 * not written.)
 */
export const MAX_CHECKPOINTS_QUEUED = 2;

export interface CheckpointStats {
  taken: number;
  lastMs: number;
  lastBytes: number;
  totalMs: number;
}

type Rejects = Partial<Record<RejectReason, number>>;

interface Pending {
  chunk: number;
  owners: KeyedState[];
  ownersLeft: number;
  splits: SplitState[];
  rejects: Rejects[];
  producersLeft: number;
  expiredKeys: number;
  written?: { outputPosition: number; events: number; outputs: number };
  startedAt: number;
}

/**
 * The main thread's half of aligned checkpoints. A checkpoint at chunk C collects each owner's
 * state and each producer's split states as of the start of C (the threads report them when they
 * reach the barrier), and the sink's position when chunk C-1's outputs are written; then it makes
 * the sink durable up to that position and writes the checkpoint file. The job runs on meanwhile.
 * Several checkpoints (at increasing chunks) may be collecting at once, and up to
 * MAX_CHECKPOINTS_QUEUED complete ones waiting; they are written one after another, in chunk order.
 */
export class CheckpointCoordinator {
  readonly stats: CheckpointStats = { taken: 0, lastMs: 0, lastBytes: 0, totalMs: 0 };
  /** The newest durable checkpoint (or the one the run started from). */
  latest: Checkpoint | undefined;
  failure: StatecraftError | undefined;
  /**
   * Where the current attempt started: owners and producers report expiries and rejects counted
   * since then, so a checkpoint adds them to this one's (not to `latest`, which may already hold some).
   */
  private attemptStart: JobStart;
  /** Checkpoints collecting their reports, in chunk order. */
  private readonly pending: Pending[] = [];
  /** The last write queued (writes run one after another); undefined when none is queued. */
  private writing: Promise<void> | undefined;
  /** Checkpoints being written or waiting for the write before them, oldest first. */
  private readonly queuedWrites: Promise<void>[] = [];
  /** Called when a checkpoint completes or fails (the running attempt re-checks its conditions). */
  onProgress: () => void = () => undefined;
  private readonly schedule: CheckpointSchedule;

  constructor(
    private readonly policy: CheckpointPolicy,
    start: JobStart,
    private readonly layout: { workers: number; partitions: number; sourceParallelism: number },
    private readonly sink: OutputSink,
  ) {
    this.latest = start;
    this.attemptStart = start;
    this.schedule = new CheckpointSchedule(policy, start?.firstEvent ?? 0);
  }

  /**
   * Whether a checkpoint is due at a chunk boundary with `eventsBefore` events of the stream before
   * it (see CheckpointSchedule); `after-write` while MAX_CHECKPOINTS_QUEUED wait to be written.
   */
  due(eventsBefore: number): CheckpointDue {
    if (this.failure !== undefined) return 'no';
    return this.schedule.due(eventsBefore, this.queuedWrites.length < MAX_CHECKPOINTS_QUEUED);
  }

  /** Checkpoints are due by a count of events (placed at chunk boundaries by their event positions). */
  get byCount(): boolean {
    return this.schedule.byCount;
  }

  /** Whether a checkpoint can begin now at a boundary with `eventsBefore` events before it. */
  isDue(eventsBefore: number): boolean {
    return this.due(eventsBefore) === 'now';
  }

  /** Waits until fewer than MAX_CHECKPOINTS_QUEUED checkpoints are waiting to be written. */
  async whenRoom(): Promise<void> {
    while (this.queuedWrites.length >= MAX_CHECKPOINTS_QUEUED) await this.queuedWrites[0];
  }

  /**
   * Starts a checkpoint at `chunk` (after any begun before), to be completed by `owners` owner and
   * `producers` producer reports; `now` is the collector's state (the sink position is taken now
   * if `chunk` is written); `eventsBefore`, the events before `chunk` as given to isDue.
   */
  begin(
    chunk: number,
    owners: number,
    producers: number,
    now: { chunksWritten: number; events: number; outputs: number },
    eventsBefore = now.events,
  ): void {
    this.schedule.began(eventsBefore);
    this.pending.push({
      chunk,
      owners: [],
      ownersLeft: owners,
      splits: [],
      rejects: [],
      producersLeft: producers,
      expiredKeys: 0,
      startedAt: performance.now(),
    });
    this.chunkWritten(now.chunksWritten, now);
  }

  /**
   * After a failure: forgets the unfinished checkpoint, waits for one being written, and returns
   * where the next attempt starts — the newest durable checkpoint, counting events from there.
   * Only after the wait: a checkpoint that completes during it is newer than `latest` was, and the
   * sink is rewound to the start returned, so restarting from an older one would later let a second
   * failure restart from this newer one over output the rewind had already cut.
   */
  async restart(): Promise<JobStart> {
    await this.settle();
    const start = this.latest;
    this.attemptStart = start;
    this.schedule.restart(start?.firstEvent ?? 0);
    return start;
  }

  /**
   * The job goes on from `start` without a failure (a head start handed over to the worker
   * threads): the reports of the threads count expiries and rejects from there.
   */
  handedOver(start: Checkpoint): void {
    this.attemptStart = start;
  }

  ownerState(chunk: number, keyed: KeyedState, expiredKeys: number): void {
    const pending = this.pendingAt(chunk);
    if (pending === undefined) return;
    pending.owners.push(keyed);
    pending.expiredKeys += expiredKeys;
    pending.ownersLeft--;
    this.tryComplete();
  }

  producerState(chunk: number, splits: readonly SplitState[], rejects: Rejects): void {
    const pending = this.pendingAt(chunk);
    if (pending === undefined) return;
    pending.splits.push(...splits);
    pending.rejects.push(rejects);
    pending.producersLeft--;
    this.tryComplete();
  }

  /**
   * Called right after each chunk's outputs are written, before the next chunk's: when the written
   * count reaches the pending checkpoint's chunk, the sink's position is the one to commit.
   */
  chunkWritten(chunksWritten: number, totals: { events: number; outputs: number }): void {
    const pending = this.pendingAt(chunksWritten);
    if (pending === undefined || pending.written !== undefined) return;
    pending.written = {
      outputPosition: this.sink.position?.() ?? 0,
      events: totals.events,
      outputs: totals.outputs,
    };
    this.tryComplete();
  }

  /** No checkpoint is being collected or written. */
  get idle(): boolean {
    return this.pending.length === 0 && this.writing === undefined;
  }

  /** Waits until the checkpoints being written (if any) are written or have failed. */
  async whenWritten(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  /** Waits for the checkpoints being written (pending ones that are not complete are abandoned). */
  async settle(): Promise<void> {
    this.pending.length = 0;
    await this.whenWritten();
  }

  private pendingAt(chunk: number): Pending | undefined {
    return this.pending.find((pending) => pending.chunk === chunk);
  }

  private tryComplete(): void {
    // Checkpoints complete in chunk order: a later one needs every report the earlier ones need.
    for (;;) {
      const pending = this.pending[0];
      if (pending === undefined || pending.ownersLeft > 0 || pending.producersLeft > 0) return;
      const { written } = pending;
      if (written === undefined) return;
      this.pending.shift();
      this.write(pending, written);
    }
  }

  private write(pending: Pending, at: NonNullable<Pending['written']>): void {
    const base = this.attemptStart;
    const checkpoint: Checkpoint = {
      job: this.policy.job,
      chunk: pending.chunk,
      firstEvent: at.events,
      outputs: at.outputs,
      outputPosition: at.outputPosition,
      rejects: mergeRejects([base?.rejects ?? {}, ...pending.rejects]),
      expiredKeys: (base?.expiredKeys ?? 0) + pending.expiredKeys,
      ...this.layout,
      createdAt: new Date().toISOString(),
      keyed: concatKeyedStates(pending.owners),
      splits: pending.splits.sort((a, b) => a.split - b.split),
    };
    const previous = this.writing ?? Promise.resolve();
    const queued: Promise<void> = previous
      .then(() => this.commit(checkpoint, pending.startedAt))
      .finally(() => {
        this.queuedWrites.shift();
        if (this.writing === queued) this.writing = undefined;
        this.onProgress();
      });
    this.writing = queued;
    this.queuedWrites.push(queued);
  }

  private async commit(checkpoint: Checkpoint, startedAt: number): Promise<void> {
    // After a failed write nothing later is written: it would follow a gap in the output commits.
    if (this.failure !== undefined) return;
    try {
      await this.sink.commit?.(checkpoint.outputPosition);
      await this.policy.store.write(checkpoint);
    } catch (error) {
      this.failure =
        error instanceof CheckpointWriteError
          ? error
          : new CheckpointWriteError(
              `checkpoint at chunk ${checkpoint.chunk} failed: ${error instanceof Error ? error.message : String(error)}`,
              error,
            );
      return;
    }
    this.latest = checkpoint;
    const ms = performance.now() - startedAt;
    this.stats.taken++;
    this.stats.lastMs = ms;
    this.stats.totalMs += ms;
    this.stats.lastBytes = checkpoint.keyed.keys.byteLength + checkpoint.keyed.values.byteLength;
  }
}
