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
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  });
  pool.on('error', onLateError);
  return pool;
}
