import { Piscina } from 'piscina';
import { workerEntryUrl } from './module-url.js';

export interface WorkerLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
}

/**
 * A pool of exactly `workers` threads for long-lived tasks: one task per thread for the whole job
 * (so a thread keeps what it owns). `onLateError` receives errors of threads whose task had
 * already settled, e.g. a second thread failing while the pool shuts down after a first failure.
 */
export function createWorkerPool(
  workers: number,
  resourceLimits: WorkerLimits | undefined,
  onLateError: (error: unknown) => void,
): Piscina {
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
