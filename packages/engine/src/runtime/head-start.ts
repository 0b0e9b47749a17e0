import { availableParallelism } from 'node:os';
import type { JobStart } from '../checkpoint/checkpoint.js';
import type { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import { isFedSource, type ParallelSource } from '../sources/parallel-source.js';
import { ChunkPace, handOverPays, threadsPay } from './hand-over-model.js';
import { runInlineJob } from './inline-job.js';
import type { ResolvedJobOptions } from './job-options.js';
import type { JobMonitor } from './monitor/job-monitor.js';
import { numberRejectsInFile } from './reject-numbering.js';
import type { AttemptResult } from './summary.js';

type WorkerPool = typeof import('./worker-pool.js');
type ExchangeJobModule = typeof import('./parallel/exchange-job.js');

/**
 * A head-started job of fewer chunks starts no threads: on the calling thread it ends before they
 * would be up (two threads take ~110 ms to boot on two cores, some 30 chunks' time inline).
 */
export const HEAD_START_MIN_CHUNKS = 32;

/** Chunks that must be left for the threads to take over when a test forces a hand-over. */
const MIN_CHUNKS_LEFT = 8;

/**
 * Whether a job with workers can start on this thread while its worker threads boot: the first
 * attempt of a job whose chunks can be produced from any chunk (not a fed source, whose input is
 * read once), and whose threads are not told to die (fault injection counts their events).
 */
export function canHeadStart(config: ResolvedJobOptions, source: ParallelSource, attempt: number): boolean {
  return (
    config.headStart === true &&
    config.workers > 0 &&
    attempt === 0 &&
    config.injectWorkerDeaths?.[0] === undefined &&
    !isFedSource(source)
  );
}

/**
 * Runs a job with workers on this thread, inline, timing its pace; starts the worker threads once
 * the work left at that pace pays for their boot and their take-over (threadsPay), and at the first
 * chunk boundary after they have all started where it still pays (handOverPays), hands its state
 * over to them, as a checkpoint held in memory, and the exchange job goes on from there (from the
 * start, when the operator has no snapshot and restore to hand its state over with). A job too
 * short for that ends here and starts no threads. The output is the same either way: a job
 * resumed from a checkpoint writes what the whole job would.
 */
export async function runWithHeadStart(
  config: ResolvedJobOptions,
  source: ParallelSource,
  start: JobStart,
  checkpoints: CheckpointCoordinator | undefined,
  monitor: JobMonitor | undefined,
): Promise<AttemptResult> {
  const { workers, resourceLimits } = config;
  const chunks = isFedSource(source) ? 0 : source.chunks;
  const firstChunk = start?.chunk ?? 0;
  if (chunks - firstChunk < HEAD_START_MIN_CHUNKS) {
    const whole = await runInlineJob(config, source, start, checkpoints, monitor);
    return { ...whole, headStartChunks: whole.chunks - firstChunk };
  }
  const until = config.headStartUntilChunk;
  const cores = availableParallelism();
  const pace = new ChunkPace();
  // The pool (piscina) is loaded only by a job that starts threads; they import the operator and
  // the source while this thread goes on.
  let threads: Promise<WorkerPool> | undefined;
  let pool: WorkerPool | undefined;
  let loading: Promise<ExchangeJobModule> | undefined;
  const startThreads = () => {
    threads = import('./worker-pool.js').then((module) => {
      module.warmUpWorkers(workers, resourceLimits, [config.operator.module, source.module]);
      pool = module;
      return module;
    });
    threads.catch(() => undefined);
    loading = import('./parallel/exchange-job.js');
    loading.catch(() => undefined);
  };
  const threadsUp = () => pool?.warmWorkersSettled(workers, resourceLimits) === true;
  const handOver = (next: number) => {
    pace.tick();
    const left = chunks - next;
    if (until !== undefined) return next >= until && left >= MIN_CHUNKS_LEFT && threadsUp();
    const msPerChunk = pace.msPerChunk();
    if (msPerChunk === undefined) return false;
    // Threads start once the work left, at this thread's pace, pays for their boot as well.
    if (threads === undefined) {
      if (threadsPay(left * msPerChunk, workers, cores)) startThreads();
      return false;
    }
    return threadsUp() && handOverPays(left * msPerChunk, workers, cores);
  };
  // A test's hand-over: the threads start at once.
  if (until !== undefined) startThreads();
  const releaseThreads = async () => {
    await (await threads?.catch(() => undefined))?.releaseWarmWorkers();
  };
  // Rejected records are numbered by their line in the whole input, across the hand-over.
  const numberRejects = numberRejectsInFile(config.onRejected);
  let head: Awaited<ReturnType<typeof runInlineJob>>;
  try {
    head = await runInlineJob(config, source, start, checkpoints, monitor, handOver, numberRejects);
  } catch (error) {
    await releaseThreads();
    throw error;
  }
  const { handedOver } = head;
  if (handedOver === undefined) {
    await releaseThreads();
    return { ...head, headStartChunks: head.chunks - firstChunk };
  }
  // An operator that cannot hand its state over leaves the whole job to threads not started yet.
  if (loading === undefined) startThreads();
  const from = handedOver.start;
  if (from !== start && from !== undefined) checkpoints?.handedOver(from);
  let tail: AttemptResult;
  try {
    const { runExchangeJob } = await loading!;
    tail = await runExchangeJob(config, source, from, checkpoints, undefined, monitor, numberRejects);
  } finally {
    // Threads the exchange job did not take (its module failed to load): none once it has.
    await releaseThreads();
  }
  return {
    ...tail,
    latenciesMs: head.latenciesMs.concat(tail.latenciesMs),
    headStartChunks: (from?.chunk ?? 0) - firstChunk,
  };
}
