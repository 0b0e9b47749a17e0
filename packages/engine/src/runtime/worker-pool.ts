import { Piscina } from 'piscina';
import { workerEntryUrl } from './module-url.js';
import type { WarmUpTask } from './worker-protocol.js';

export interface WorkerLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
}

interface WarmPool {
  workers: number;
  limits: string;
  pool: Piscina;
  /** Every thread has booted and loaded the worker's code (it answered a warm-up task). */
  ready: boolean;
}

/** Threads started ahead of their job by warmUpWorkers, until a job takes them. */
let warm: WarmPool | undefined;

const limitsKey = (limits: WorkerLimits | undefined) =>
  `${limits?.maxOldGenerationSizeMb ?? ''}/${limits?.maxYoungGenerationSizeMb ?? ''}`;

/**
 * A pool of exactly `workers` threads for long-lived tasks: one task per thread for the whole job
 * (so a thread keeps what it owns). `onLateError` receives errors of threads whose task had
 * already settled, e.g. a second thread failing while the pool shuts down after a first failure.
 * Threads warmed up for this many workers (and the same resource limits) are taken instead of new ones.
 */
export function createWorkerPool(
  workers: number,
  resourceLimits: WorkerLimits | undefined,
  onLateError: (error: unknown) => void,
): Piscina {
  if (warm !== undefined && warm.workers === workers && warm.limits === limitsKey(resourceLimits)) {
    const { pool } = warm;
    warm = undefined;
    pool.removeAllListeners('error');
    pool.on('error', onLateError);
    return pool;
  }
  const pool = new Piscina({
    filename: workerEntryUrl(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    // A thread whose task has ended waits for the next on its event loop, not in Atomics.wait:
    // there is no next task here (Atomics only speed up handing out many short ones), and on
    // Node 24 a thread that entered Atomics.wait as destroy() terminated it sometimes never
    // exited, so a job failing early (a truncated .gz file, 1 run in ~30) hung in destroy().
    atomics: 'disabled',
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  });
  pool.on('error', onLateError);
  return pool;
}

/**
 * Starts `workers` threads now, for the next job that runs with exactly that many (and the same
 * resource limits): a thread takes longer to boot than a job's own set-up, so starting them while
 * the program still loads its code takes their start off a short job's time. At most one set
 * waits; a second call with another count or limits replaces it.
 */
export function warmUpWorkers(workers: number, resourceLimits?: WorkerLimits): void {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`warmUpWorkers needs a worker count ≥ 1, got ${workers}`);
  }
  const limits = limitsKey(resourceLimits);
  if (warm?.workers === workers && warm.limits === limits) return;
  void releaseWarmWorkers();
  // Errors of threads no job has taken yet surface in the job that takes them (its tasks fail).
  const pool = createWorkerPool(workers, resourceLimits, () => undefined);
  const set: WarmPool = { workers, limits, pool, ready: false };
  warm = set;
  // One warm-up task per thread (each thread takes one task at a time, so each gets one): all have
  // answered once every thread runs the worker's code. A thread that fails to start never answers.
  const task: WarmUpTask = { mode: 'warm-up' };
  Promise.all(Array.from({ length: workers }, () => pool.run(task))).then(
    () => {
      set.ready = true;
    },
    () => undefined,
  );
}

/**
 * Whether threads warmed up for `workers` (and these limits) wait, all of them booted and running
 * the worker's code; false while they still start, and when none wait.
 */
export function warmWorkersReady(workers: number, resourceLimits?: WorkerLimits): boolean {
  return warm?.workers === workers && warm.limits === limitsKey(resourceLimits) && warm.ready;
}

/** Whether threads started by warmUpWorkers wait for a job (a job with their count takes them). */
export function hasWarmWorkers(): boolean {
  return warm !== undefined;
}

/** Stops threads that warmUpWorkers started and no job took. */
export async function releaseWarmWorkers(): Promise<void> {
  const pool = warm?.pool;
  warm = undefined;
  await pool?.destroy().catch(() => undefined);
}
