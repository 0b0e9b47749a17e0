import type { StatecraftError } from '../errors.js';
import type { KeyedState } from '../operator.js';
import { mergeRejects } from '../runtime/summary.js';
import type { OutputSink } from '../sinks/sink.js';
import type { SplitState } from '../sources/parallel-source.js';
import type { RejectReason } from '../sources/reject.js';
import type { Checkpoint, JobStart } from './checkpoint.js';
import { CheckpointWriteError } from './checkpoint-errors.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { concatKeyedStates } from './keyed-state.js';

export interface CheckpointPolicy {
  store: CheckpointStore;
  /** The job's identity, stored in every checkpoint and compared on resume. */
  job: string;
  /** A checkpoint starts once this many events were written since the last one began... */
  everyEvents?: number | undefined;
  /** ...or this many milliseconds passed (whichever is set; both may be). */
  everyMs?: number | undefined;
}

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
 * the sink durable up to that position and writes the checkpoint file. The job runs on meanwhile;
 * one checkpoint is in progress at a time.
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
  private pending: Pending | undefined;
  private writing: Promise<void> | undefined;
  /** Called when a checkpoint completes or fails (the running attempt re-checks its conditions). */
  onProgress: () => void = () => undefined;
  private lastBeganAtEvents = 0;
  private lastBeganAt = performance.now();

  constructor(
    private readonly policy: CheckpointPolicy,
    start: JobStart,
    private readonly layout: { workers: number; partitions: number; sourceParallelism: number },
    private readonly sink: OutputSink,
  ) {
    this.latest = start;
    this.attemptStart = start;
    this.lastBeganAtEvents = start?.firstEvent ?? 0;
  }

  /** Whether a new checkpoint should begin now, `eventsWritten` being this run's count. */
  isDue(eventsWritten: number): boolean {
    if (this.pending !== undefined || this.writing !== undefined || this.failure !== undefined) return false;
    const { everyEvents, everyMs } = this.policy;
    if (everyEvents !== undefined && eventsWritten - this.lastBeganAtEvents >= everyEvents) return true;
    return everyMs !== undefined && performance.now() - this.lastBeganAt >= everyMs;
  }

  /**
   * Starts a checkpoint at `chunk`, to be completed by `owners` owner and `producers` producer
   * reports; `now` is the collector's state (the sink position is taken now if `chunk` is written).
   */
  begin(
    chunk: number,
    owners: number,
    producers: number,
    now: { chunksWritten: number; events: number; outputs: number },
  ): void {
    this.lastBeganAtEvents = now.events;
    this.lastBeganAt = performance.now();
    this.pending = {
      chunk,
      owners: [],
      ownersLeft: owners,
      splits: [],
      rejects: [],
      producersLeft: producers,
      expiredKeys: 0,
      startedAt: performance.now(),
    };
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
    this.lastBeganAtEvents = start?.firstEvent ?? 0;
    this.lastBeganAt = performance.now();
    return start;
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
    const pending = this.pending;
    if (pending === undefined || pending.written !== undefined || chunksWritten !== pending.chunk) return;
    pending.written = {
      outputPosition: this.sink.position?.() ?? 0,
      events: totals.events,
      outputs: totals.outputs,
    };
    this.tryComplete();
  }

  /** No checkpoint is being collected or written. */
  get idle(): boolean {
    return this.pending === undefined && this.writing === undefined;
  }

  /** Waits until the checkpoint being written (if any) is written or has failed. */
  async whenWritten(): Promise<void> {
    await this.writing;
  }

  /** Waits for a checkpoint being written (a pending one that is not complete is abandoned). */
  async settle(): Promise<void> {
    this.pending = undefined;
    await this.writing;
  }

  private pendingAt(chunk: number): Pending | undefined {
    return this.pending?.chunk === chunk ? this.pending : undefined;
  }

  private tryComplete(): void {
    const pending = this.pending;
    if (pending === undefined || pending.ownersLeft > 0 || pending.producersLeft > 0) return;
    if (pending.written === undefined) return;
    this.pending = undefined;
    const base = this.attemptStart;
    const checkpoint: Checkpoint = {
      job: this.policy.job,
      chunk: pending.chunk,
      firstEvent: pending.written.events,
      outputs: pending.written.outputs,
      outputPosition: pending.written.outputPosition,
      rejects: mergeRejects([base?.rejects ?? {}, ...pending.rejects]),
      expiredKeys: (base?.expiredKeys ?? 0) + pending.expiredKeys,
      ...this.layout,
      createdAt: new Date().toISOString(),
      keyed: concatKeyedStates(pending.owners),
      splits: pending.splits.sort((a, b) => a.split - b.split),
    };
    this.writing = this.commit(checkpoint, pending.startedAt).finally(() => {
      this.writing = undefined;
      this.onProgress();
    });
  }

  private async commit(checkpoint: Checkpoint, startedAt: number): Promise<void> {
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
