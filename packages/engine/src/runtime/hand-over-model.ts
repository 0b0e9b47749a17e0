/**
 * How much of an inline thread's work one worker thread does in a job, in percent, the rest going
 * to the exchange (partitioning, the parts' trips between threads) and the collection: two workers
 * on two cores, 20 M generated events, 1.31× inline on Node 20 and 1.42× on Node 22 once the
 * threads' boot is taken off (docs/performance.md, "Short jobs").
 */
const WORKER_EFFICIENCY_PERCENT = 65;

/**
 * What taking a job over costs the threads, in time this thread would go on working: the hand-over
 * (outputs written, state handed over), and their first chunks, run as cold code while the code is
 * compiled (~30 ms each instead of ~4 for a generated chunk; measured on two cores, Node 20).
 */
const TAKE_OVER_MS = 150;

/**
 * Whether `workers` threads on `cores` cores win back taking over a job this thread would finish
 * in `msLeft`: their speed-up (WORKER_EFFICIENCY_PERCENT of this thread per core they get) must
 * save more than TAKE_OVER_MS. Never for threads no faster than this thread (one worker, one core).
 * Two cores: from 650 ms of work left (~155 generated chunks, ~25 of a CSV file).
 */
export function handOverPays(msLeft: number, workers: number, cores: number): boolean {
  const speedUpPercent = WORKER_EFFICIENCY_PERCENT * Math.min(workers, cores);
  return speedUpPercent > 100 && (msLeft * (speedUpPercent - 100)) / speedUpPercent >= TAKE_OVER_MS;
}

/** How long threads take to boot and import a job's code (two, on two cores), while this one goes on. */
const THREAD_BOOT_MS = 110;

/** Whether threads started now would pay: taking over the work left once they are up pays. */
export function threadsPay(msLeft: number, workers: number, cores: number): boolean {
  return handOverPays(msLeft - THREAD_BOOT_MS, workers, cores);
}

/** Chunks timed before the pace is known: the first ones run as cold code. */
const PACE_CHUNKS = 5;

/**
 * This thread's time per chunk: the shortest of the last PACE_CHUNKS intervals between `tick()`s
 * (one per chunk). A garbage collection, a slow write or code not yet compiled only lengthens a
 * chunk; the shortest is the pace the job goes on at, and errs toward the work left being short
 * (finishing here, no slower than without threads).
 */
export class ChunkPace {
  private readonly intervals: number[] = [];
  private last: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  tick(): void {
    const now = this.now();
    if (this.last !== undefined) {
      this.intervals.push(now - this.last);
      if (this.intervals.length > PACE_CHUNKS) this.intervals.shift();
    }
    this.last = now;
  }

  /** Milliseconds per chunk, or undefined before PACE_CHUNKS intervals are timed. */
  msPerChunk(): number | undefined {
    if (this.intervals.length < PACE_CHUNKS) return undefined;
    return Math.min(...this.intervals);
  }
}
