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
  /**
   * Every thread has booted and loaded the worker's code (it answered its warm-up tasks), or one
   * failed to (the job that takes the threads reports the failure).
   */
  settled: boolean;
  /** The warm-up tasks sent so far, all answered. */
  answered: Promise<unknown>;
  /** Modules the warm-up tasks had the threads import. */
  preloaded: Set<string>;
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
 * waits; a second call with another count or limits replaces it, one with the same has the
 * threads import the `modules` they have not.
 */
export function warmUpWorkers(
  workers: number,
  resourceLimits?: WorkerLimits,
  modules: readonly string[] = [],
): void {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`warmUpWorkers needs a worker count ≥ 1, got ${workers}`);
  }
  const limits = limitsKey(resourceLimits);
  const started = warm?.workers === workers && warm.limits === limits;
  let set = started ? warm : undefined;
  if (set === undefined) {
    void releaseWarmWorkers();
    // Errors of threads no job has taken yet surface in the job that takes them (its tasks fail).
    const pool = createWorkerPool(workers, resourceLimits, () => undefined);
    set = { workers, limits, pool, settled: false, answered: Promise.resolve(), preloaded: new Set() };
    warm = set;
  }
  const preload = modules.filter((module) => !set.preloaded.has(module));
  if (started && preload.length === 0) return;
  for (const module of preload) set.preloaded.add(module);
  // One warm-up task per thread (a thread takes one task at a time, so each gets one while the
  // others are busy with theirs): all have answered once every thread runs the worker's code and
  // has imported `modules` (an operator's, a source's: the job's tasks then find them loaded). A
  // thread that fails to start rejects its task.
  const task: WarmUpTask = { mode: 'warm-up', modules: preload };
  const round = Promise.all([set.answered, ...Array.from({ length: workers }, () => set.pool.run(task))]);
  set.answered = round;
  set.settled = false;
  const current = set;
  const settle = () => {
    if (current.answered === round) current.settled = true;
  };
  round.then(settle, settle);
}

/**
 * Whether threads warmed up for `workers` (and these limits) wait and have settled: all of them
 * booted, running the worker's code with the modules asked for, or one failed to start (the job
 * that takes them reports why). False while they still start, and when none wait.
 */
export function warmWorkersSettled(workers: number, resourceLimits?: WorkerLimits): boolean {
  return warm?.workers === workers && warm.limits === limitsKey(resourceLimits) && warm.settled;
}

/** Resolves once the threads warmUpWorkers started (if any wait) have settled (see warmWorkersSettled). */
export async function whenWarmWorkersSettled(): Promise<void> {
  while (warm !== undefined && !warm.settled) await warm.answered.catch(() => undefined);
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
