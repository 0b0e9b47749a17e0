import { Piscina } from 'piscina';
import { workerEntryUrl } from './module-url.js';

export interface WorkerLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
}

/** Threads started ahead of their job by warmUpWorkers, until a job takes them. */
let warm: { workers: number; pool: Piscina } | undefined;

/**
 * A pool of exactly `workers` threads for long-lived tasks: one task per thread for the whole job
 * (so a thread keeps what it owns). `onLateError` receives errors of threads whose task had
 * already settled, e.g. a second thread failing while the pool shuts down after a first failure.
 * Threads warmed up for this many workers (and no resource limits) are taken instead of new ones.
 */
export function createWorkerPool(
  workers: number,
  resourceLimits: WorkerLimits | undefined,
  onLateError: (error: unknown) => void,
): Piscina {
  if (warm !== undefined && warm.workers === workers && resourceLimits === undefined) {
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
 * Starts `workers` threads now, for the next job that runs with exactly that many (and no resource
 * limits): a thread takes longer to boot than a job's own set-up, so starting them while the
 * program still loads its code takes their start off a short job's time. At most one set waits;
 * a second call with another count replaces it.
 */
export function warmUpWorkers(workers: number): void {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`warmUpWorkers needs a worker count ≥ 1, got ${workers}`);
  }
  if (warm?.workers === workers) return;
  void releaseWarmWorkers();
  // Errors of threads no job has taken yet surface in the job that takes them (its tasks fail).
  warm = { workers, pool: createWorkerPool(workers, undefined, () => undefined) };
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
