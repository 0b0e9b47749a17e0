/** How often checkpoints are taken: by a count of events, a time, or both (whichever comes first). */
export interface CheckpointInterval {
  /**
   * A checkpoint is taken at the first chunk boundary at or after every this many events (counted
   * from where the run started)...
   */
  everyEvents?: number | undefined;
  /** ...or at the first chunk granted once this many milliseconds passed since the last one began. */
  everyMs?: number | undefined;
}

/**
 * At a chunk boundary: no checkpoint; one now; or one is due by the event count but the writes
 * queued leave no room, so the job holds that chunk back until a write is done (a count interval is
 * exact: its checkpoints fall on the same chunks in every run). A checkpoint due by time alone is
 * `no` while writes are queued: it comes at a later boundary.
 */
export type CheckpointDue = 'no' | 'now' | 'after-write';

/**
 * Where checkpoints fall: at the first chunk boundary at or past each multiple of the count
 * interval, counted from where the attempt started, or at the first one once the time interval has
 * passed since the last checkpoint began.
 */
export class CheckpointSchedule {
  /** Where the count interval is anchored: the events before the attempt's first chunk. */
  private anchorEvents = 0;
  /** The event position at which the next checkpoint is due (with `everyEvents`). */
  private nextDueEvents = 0;
  private lastBeganAt = performance.now();

  constructor(
    private readonly interval: CheckpointInterval,
    firstEvent: number,
  ) {
    this.anchor(firstEvent);
  }

  /** Checkpoints are due by a count of events (placed at chunk boundaries by their event positions). */
  get byCount(): boolean {
    return this.interval.everyEvents !== undefined;
  }

  /**
   * Whether a checkpoint is due at a boundary with `eventsBefore` events of the stream before it
   * (exact, or estimated for chunks not written yet); `room`: another write may be queued now.
   */
  due(eventsBefore: number, room: boolean): CheckpointDue {
    const { everyEvents, everyMs } = this.interval;
    const byCount = everyEvents !== undefined && eventsBefore >= this.nextDueEvents;
    const byTime = everyMs !== undefined && performance.now() - this.lastBeganAt >= everyMs;
    if (!byCount && !byTime) return 'no';
    if (room) return 'now';
    return byCount ? 'after-write' : 'no';
  }

  /** A checkpoint begins at a boundary with `eventsBefore` events before it. */
  began(eventsBefore: number): void {
    const { everyEvents } = this.interval;
    if (everyEvents !== undefined && eventsBefore >= this.nextDueEvents) {
      // The next multiple of the interval after this boundary (several may fall in one chunk).
      const intervals = Math.floor((eventsBefore - this.anchorEvents) / everyEvents) + 1;
      this.nextDueEvents = this.anchorEvents + intervals * everyEvents;
    }
    this.lastBeganAt = performance.now();
  }

  /** An attempt starts again, with `firstEvent` events before its first chunk. */
  restart(firstEvent: number): void {
    this.anchor(firstEvent);
    this.lastBeganAt = performance.now();
  }

  private anchor(events: number): void {
    this.anchorEvents = events;
    this.nextDueEvents = events + (this.interval.everyEvents ?? 0);
  }
}
