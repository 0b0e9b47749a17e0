import type { JobMetrics, RejectReason } from '@statecraft/engine';
import { etaSeconds, type InputProgress, type Progress } from './input-progress.js';

type Rejects = Partial<Record<RejectReason, number>>;

/** What the status area, the progress lines and the dashboard show about a run. */
export interface StatusSnapshot {
  elapsedMs: number;
  events: number;
  alerts: number;
  rejected: number;
  rejectedByReason: Rejects;
  eventsPerSecond: number;
  averageEventsPerSecond: number;
  progress: Progress & { fraction: number | undefined; etaSeconds: number | undefined };
  /** Per worker, the share of the last interval it was busy (0..1). */
  workerBusy: number[];
  inFlightChunks: number;
  keyGroupSkew: number;
  liveAddresses: number | undefined;
  checkpoints: number;
  lastCheckpointMs: number;
  restarts: number;
  /** Median source-to-output latency of the chunks written in the last interval, if any were. */
  batchMs: number | undefined;
  done: boolean;
}

/** Turns the engine's metrics into snapshots, remembering where the run started for its ETA. */
export class StatusTracker {
  private startDone: number | undefined;

  constructor(
    private readonly progressOf: InputProgress,
    /** Rejects a source on the main thread counts itself (the engine reports a parallel source's). */
    private readonly ownRejects: () => Rejects,
  ) {}

  snapshot(metrics: JobMetrics): StatusSnapshot {
    const progress = this.progressOf(metrics);
    this.startDone ??= progress.done;
    const rejectedByReason = { ...metrics.rejects };
    for (const [reason, n] of Object.entries(this.ownRejects()) as [RejectReason, number][]) {
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + n;
    }
    const latencies = [...metrics.batchLatenciesMs].sort((a, b) => a - b);
    return {
      elapsedMs: metrics.elapsedMs,
      events: metrics.events,
      alerts: metrics.outputs,
      rejected: Object.values(rejectedByReason).reduce((n, r) => n + r, 0),
      rejectedByReason,
      eventsPerSecond: metrics.eventsPerSecond,
      averageEventsPerSecond: metrics.averageEventsPerSecond,
      progress: {
        ...progress,
        fraction:
          progress.total === undefined ? undefined : progress.total > 0 ? progress.done / progress.total : 1,
        etaSeconds: etaSeconds(progress, this.startDone, metrics.elapsedMs),
      },
      workerBusy: metrics.workers.map((w) => w.busyRatio),
      inFlightChunks: metrics.inFlightChunks,
      keyGroupSkew: metrics.keyGroupSkew,
      liveAddresses: metrics.liveKeys,
      checkpoints: metrics.checkpoints.taken,
      lastCheckpointMs: metrics.checkpoints.lastMs,
      restarts: metrics.restarts,
      batchMs: latencies.length === 0 ? undefined : latencies[Math.floor(latencies.length / 2)],
      done: metrics.final,
    };
  }
}
