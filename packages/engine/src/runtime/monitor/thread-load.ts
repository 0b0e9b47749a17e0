import type { RejectReason } from '../../sources/reject.js';

/**
 * What a worker thread reports about itself with the outputs it already sends (no extra message).
 * Times are cumulative since the thread's task started, on the thread's own clock.
 */
export interface ThreadLoad {
  /** Milliseconds spent producing chunks and applying parts. */
  busyMs: number;
  /** Milliseconds since the task started. */
  upMs: number;
  /** Events this thread's operator applied. */
  events: number;
  /** Sent at most every LOAD_DETAIL_INTERVAL_MS: events per key group this thread's producers partitioned. */
  keyGroupEvents?: Float64Array;
  /** Sent with keyGroupEvents: keys in this thread's state. */
  liveKeys?: number;
  /** Sent with keyGroupEvents: records this thread's producers rejected. */
  rejects?: Partial<Record<RejectReason, number>>;
}

/** Key-group counts grow with P; a big P sends them less often (P = 128: every 500 ms). */
export function loadDetailIntervalMs(partitions: number): number {
  return Math.max(500, partitions / 8);
}

/**
 * Measures the time a thread spends working: `begin`/`end` around each message handler (nesting
 * counts once), per chunk or part, never per event.
 */
export class BusyClock {
  private readonly startedAt = performance.now();
  private busy = 0;
  private since = 0;
  private depth = 0;

  begin(): void {
    if (this.depth++ === 0) this.since = performance.now();
  }

  end(): void {
    if (--this.depth === 0) this.busy += performance.now() - this.since;
  }

  /** Busy and elapsed milliseconds now (the handler running now counts up to this moment). */
  read(): { busyMs: number; upMs: number } {
    const now = performance.now();
    return { busyMs: this.busy + (this.depth > 0 ? now - this.since : 0), upMs: now - this.startedAt };
  }
}

/**
 * Builds the ThreadLoad a thread attaches to each output message, with details now and then. When
 * details were held back and no output follows within the interval (the input went idle), `flush`
 * gets a load with them on its own: at most one such message per interval, never one per part.
 */
export class LoadReporter {
  readonly clock = new BusyClock();
  private detailsAt = Number.NEGATIVE_INFINITY;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastEvents = 0;

  constructor(
    private readonly detailIntervalMs: number,
    private readonly details: () => Pick<ThreadLoad, 'keyGroupEvents' | 'liveKeys' | 'rejects'>,
    private readonly flush?: (load: ThreadLoad) => void,
  ) {}

  /** `final`: the thread's last report, with details whenever they were last sent. */
  load(events: number, final = false): ThreadLoad {
    const { busyMs, upMs } = this.clock.read();
    this.lastEvents = events;
    if (!final && upMs - this.detailsAt < this.detailIntervalMs) {
      this.flushLater(this.detailIntervalMs - (upMs - this.detailsAt));
      return { busyMs, upMs, events };
    }
    this.stop();
    this.detailsAt = upMs;
    try {
      return { busyMs, upMs, events, ...this.details() };
    } catch {
      // The details run the operator's own code (liveKeys): its failure is the job's to report
      // where the job asks for it, not here in the middle of a chunk.
      return { busyMs, upMs, events };
    }
  }

  /** Cancels a pending flush (the thread is done). */
  stop(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private flushLater(inMs: number): void {
    const flush = this.flush;
    if (flush === undefined || this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      flush(this.load(this.lastEvents));
    }, inMs);
    this.flushTimer.unref();
  }
}
