import type { RejectReason } from '../sources/reject.js';

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
  /** Time from a chunk's submission (or grant) to its outputs being written: median and 99th percentile. */
  p50BatchMs: number;
  p99BatchMs: number;
  /** Records a parallel source rejected, by reason (a sequential source keeps its own counts). */
  rejects: Partial<Record<RejectReason, number>>;
  /** True when the job stopped early through its AbortSignal. */
  interrupted: boolean;
}

export interface SummaryInput {
  started: number;
  events: number;
  outputs: number;
  chunks: number;
  workers: number;
  partitions: number;
  sourceParallelism: number;
  liveKeys: number;
  latenciesMs: number[];
  rejects: Partial<Record<RejectReason, number>>;
  interrupted: boolean;
}

export function summarize(input: SummaryInput): JobSummary {
  const elapsedMs = performance.now() - input.started;
  const latencies = input.latenciesMs.sort((a, b) => a - b);
  const { started: _started, latenciesMs: _latencies, ...rest } = input;
  return {
    ...rest,
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? (input.events * 1000) / elapsedMs : 0,
    p50BatchMs: percentile(latencies, 0.5),
    p99BatchMs: percentile(latencies, 0.99),
  };
}

export function mergeRejects(
  all: readonly Partial<Record<RejectReason, number>>[],
): Partial<Record<RejectReason, number>> {
  const merged: Partial<Record<RejectReason, number>> = {};
  for (const counts of all) {
    for (const [reason, n] of Object.entries(counts) as [RejectReason, number][]) {
      if (n > 0) merged[reason] = (merged[reason] ?? 0) + n;
    }
  }
  return merged;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
