import type { CheckpointStats } from '../checkpoint/coordinator.js';
import type { RejectReason } from '../sources/reject.js';

// The job runtimes import it from here; it lives with the reject reasons it adds up.
export { mergeRejects } from '../sources/reject.js';

export interface JobSummary {
  events: number;
  outputs: number;
  chunks: number;
  elapsedMs: number;
  eventsPerSecond: number;
  workers: number;
  partitions: number;
  /** Producer threads of a parallel source (0 when the source runs on the calling thread). */
  sourceParallelism: number;
  /** Keys holding state at the end of the run. */
  liveKeys: number;
  /** Keys dropped because they were idle longer than the operator's time to live. */
  expiredKeys: number;
  /** Times the job restarted from its last checkpoint after a worker failed. */
  restarts: number;
  checkpoints: CheckpointStats;
  /** The chunk the job resumed at (from a checkpoint), or 0. */
  resumedFromChunk: number;
  /** Time from a chunk's submission (or grant) to its outputs being written: median and 99th percentile. */
  p50BatchMs: number;
  p99BatchMs: number;
  /** Records a parallel source rejected, by reason (a sequential source keeps its own counts). */
  rejects: Partial<Record<RejectReason, number>>;
  /** True when the job stopped early through its AbortSignal. */
  interrupted: boolean;
  /**
   * Chunks done on the calling thread before the worker threads took over (JobOptions.headStart):
   * all of a job that ended first, 0 without a head start, and 0 after a restart (which never
   * head-starts: the count is the last attempt's).
   */
  headStartChunks: number;
}

/** What one run of the job (one attempt, between restarts) reports; counts include the checkpoint it started from. */
export interface AttemptResult {
  events: number;
  outputs: number;
  /** The index of the next chunk: chunks before it are done. */
  chunks: number;
  liveKeys: number;
  expiredKeys: number;
  latenciesMs: number[];
  rejects: Partial<Record<RejectReason, number>>;
  interrupted: boolean;
  /** Chunks done on the calling thread before the worker threads took over (see JobOptions.headStart). */
  headStartChunks?: number;
}

export interface SummaryInput extends AttemptResult {
  started: number;
  workers: number;
  partitions: number;
  sourceParallelism: number;
  restarts: number;
  checkpoints: CheckpointStats;
  resumedFromChunk: number;
  /** Events the job had done before this process started (a resumed checkpoint's). */
  resumedEvents: number;
}

export function summarize(input: SummaryInput): JobSummary {
  const elapsedMs = performance.now() - input.started;
  const latencies = input.latenciesMs.sort((a, b) => a - b);
  const { started: _started, latenciesMs: _latencies, resumedEvents, ...rest } = input;
  return {
    ...rest,
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? ((input.events - resumedEvents) * 1000) / elapsedMs : 0,
    p50BatchMs: percentile(latencies, 0.5),
    p99BatchMs: percentile(latencies, 0.99),
    headStartChunks: input.headStartChunks ?? 0,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
