import type { JobStart } from '../checkpoint/checkpoint.js';
import type { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import { isFedSource, type ParallelSource } from '../sources/parallel-source.js';
import { runInlineJob } from './inline-job.js';
import type { ResolvedJobOptions } from './job-options.js';
import type { JobMonitor } from './monitor/job-monitor.js';
import { numberRejectsInFile } from './reject-numbering.js';
import type { AttemptResult } from './summary.js';

/**
 * A head-started job of fewer chunks starts no threads: on the calling thread it ends before they
 * would be up (two threads take ~110 ms to boot on two cores, some 30 chunks' time inline).
 */
export const HEAD_START_MIN_CHUNKS = 32;

/** Chunks that must be left for the threads to take over: fewer are done sooner where they are. */
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
 * Runs a job with workers on this thread, inline, while its worker threads boot; at the first chunk
 * boundary after they have all started (with enough chunks left to be worth it) it hands its state
 * over to them, as a checkpoint held in memory, and the exchange job goes on from there (from the
 * start, when the operator has no snapshot and restore to hand its state over with). A job of
 * fewer than HEAD_START_MIN_CHUNKS chunks ends before threads would be up: it starts none. The
 * output is the same either way: a job resumed from a checkpoint writes what the whole job would.
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
  // The pool (piscina) is loaded only by a job that starts threads.
  const { releaseWarmWorkers, warmUpWorkers, warmWorkersSettled } = await import('./worker-pool.js');
  // The threads import the operator and the source while this thread starts the job.
  warmUpWorkers(workers, resourceLimits, [config.operator.module, source.module]);
  const loading = import('./parallel/exchange-job.js');
  loading.catch(() => undefined);
  const until = config.headStartUntilChunk ?? 0;
  // Rejected records are numbered by their line in the whole input, across the hand-over.
  const numberRejects = numberRejectsInFile(config.onRejected);
  let head: Awaited<ReturnType<typeof runInlineJob>>;
  try {
    head = await runInlineJob(
      config,
      source,
      start,
      checkpoints,
      monitor,
      (next) =>
        next >= until && chunks - next >= MIN_CHUNKS_LEFT && warmWorkersSettled(workers, resourceLimits),
      numberRejects,
    );
  } catch (error) {
    await releaseWarmWorkers();
    throw error;
  }
  const { handedOver } = head;
  if (handedOver === undefined) {
    await releaseWarmWorkers();
    return { ...head, headStartChunks: head.chunks - firstChunk };
  }
  const from = handedOver.start;
  if (from !== start && from !== undefined) checkpoints?.handedOver(from);
  let tail: AttemptResult;
  try {
    const { runExchangeJob } = await loading;
    tail = await runExchangeJob(config, source, from, checkpoints, undefined, monitor, numberRejects);
  } finally {
    // Threads the exchange job did not take (its module failed to load): none once it has.
    await releaseWarmWorkers();
  }
  return {
    ...tail,
    latenciesMs: head.latenciesMs.concat(tail.latenciesMs),
    headStartChunks: (from?.chunk ?? 0) - firstChunk,
  };
}
