import type { CheckpointStats } from '../../checkpoint/coordinator.js';
import type { OrderedCollector } from '../../collect/ordered-collector.js';
import type { RejectReason } from '../../sources/reject.js';
import { mergeRejects } from '../summary.js';
import type { JobMetrics, WorkerMetrics } from './job-metrics.js';
import type { ThreadLoad } from './thread-load.js';

type Rejects = Partial<Record<RejectReason, number>>;

export const DEFAULT_METRICS_INTERVAL_MS = 500;
const NO_CHECKPOINTS: CheckpointStats = { taken: 0, lastMs: 0, lastBytes: 0, totalMs: 0 };

/** What one attempt of the job shows the monitor; the main thread's own parts are read when it reports. */
export interface AttemptProbe {
  collector: OrderedCollector;
  /** Events and outputs before this attempt's first chunk (a checkpoint's). */
  baseEvents: number;
  baseOutputs: number;
  baseRejects?: Rejects | undefined;
  /** A partitioner on the calling thread: its per-key-group counts. */
  keyGroupEvents?: Float64Array | undefined;
  /** An operator on the calling thread. */
  liveKeys?: (() => number) | undefined;
  /** A producer on the calling thread. */
  rejects?: (() => Rejects) | undefined;
}

export interface JobMonitorOptions {
  onMetrics: (metrics: JobMetrics) => void;
  intervalMs: number;
  workers: number;
  partitions: number;
  totalChunks: number | undefined;
  /** performance.now() when the job started. */
  started: number;
  /** Events done before this process started (a resumed checkpoint's): not part of its rates. */
  resumedEvents: number;
}

interface ThreadSample {
  latest: ThreadLoad | undefined;
  /** The sample the previous report's busy ratio ended at. */
  reported: ThreadLoad | undefined;
  /** The previous report's busy ratio, and how many reports in a row had no new sample. */
  busyRatio: number;
  staleReports: number;
  keyGroupEvents: Float64Array | undefined;
  liveKeys: number | undefined;
  rejects: Rejects;
}

/**
 * Turns what the job already tracks (the collector's counts and latencies, the checkpoint stats,
 * the loads the threads attach to their outputs) into JobMetrics on a timer. It costs the job
 * nothing per event: it reads counters when it reports.
 */
export class JobMonitor {
  private readonly timer: NodeJS.Timeout;
  private probe: AttemptProbe | undefined;
  private threads: ThreadSample[];
  private latencyCursor = 0;
  private lastReportAt: number;
  private lastReportEvents: number;
  private restarts = 0;
  private checkpoints: CheckpointStats = NO_CHECKPOINTS;
  private stopped = false;
  /** What the onMetrics callback threw: the job fails with it once it has ended. */
  failure: unknown;

  constructor(private readonly options: JobMonitorOptions) {
    this.lastReportAt = options.started;
    this.lastReportEvents = options.resumedEvents;
    this.threads = this.freshThreads();
    this.timer = setInterval(() => this.report(false), options.intervalMs);
    this.timer.unref();
  }

  beginAttempt(probe: AttemptProbe): void {
    this.probe = probe;
    this.latencyCursor = 0;
    this.threads = this.freshThreads();
  }

  threadLoad(thread: number, load: ThreadLoad | undefined): void {
    const sample = this.threads[thread];
    if (sample === undefined || load === undefined) return;
    sample.latest = load;
    if (load.keyGroupEvents !== undefined) sample.keyGroupEvents = load.keyGroupEvents;
    if (load.liveKeys !== undefined) sample.liveKeys = load.liveKeys;
    if (load.rejects !== undefined) sample.rejects = load.rejects;
  }

  restarted(restarts: number): void {
    this.restarts = restarts;
  }

  watchCheckpoints(stats: CheckpointStats): void {
    this.checkpoints = stats;
  }

  /** Stops the timer and makes the final report. */
  finish(): void {
    if (this.stopped) return;
    clearInterval(this.timer);
    this.report(true);
    this.stopped = true;
  }

  private report(final: boolean): void {
    if (this.stopped) return;
    let metrics: JobMetrics;
    try {
      metrics = this.measure(final);
    } catch {
      // The probes run the operator's own code (liveKeys); its failure is the job's to report.
      return;
    }
    try {
      this.options.onMetrics(metrics);
    } catch (error) {
      this.failure ??= error;
      this.stopped = true;
      clearInterval(this.timer);
    }
  }

  private measure(final: boolean): JobMetrics {
    const now = performance.now();
    const probe = this.probe;
    const collector = probe?.collector;
    const events = (probe?.baseEvents ?? this.options.resumedEvents) + (collector?.eventsWritten ?? 0);
    const sinceLast = now - this.lastReportAt;
    const elapsedMs = now - this.options.started;
    // A restart goes back to its checkpoint: that interval's rate is 0, not negative.
    const eventsPerSecond =
      sinceLast > 0 ? (Math.max(0, events - this.lastReportEvents) * 1000) / sinceLast : 0;
    this.lastReportAt = now;
    this.lastReportEvents = events;
    const latencies = collector?.latenciesMs ?? [];
    const batchLatenciesMs = latencies.slice(this.latencyCursor);
    this.latencyCursor = latencies.length;
    return {
      elapsedMs,
      events,
      outputs: (probe?.baseOutputs ?? 0) + (collector?.written ?? 0),
      chunks: collector?.chunksWritten ?? 0,
      totalChunks: this.options.totalChunks,
      eventsPerSecond,
      averageEventsPerSecond: elapsedMs > 0 ? ((events - this.options.resumedEvents) * 1000) / elapsedMs : 0,
      inFlightChunks: collector?.backlog ?? 0,
      workers: this.threads.map((sample) => this.workerMetrics(sample)),
      liveKeys: this.liveKeys(),
      keyGroupSkew: this.keyGroupSkew(),
      rejects: mergeRejects([
        probe?.baseRejects ?? {},
        probe?.rejects?.() ?? {},
        ...this.threads.map((sample) => sample.rejects),
      ]),
      checkpoints: { ...this.checkpoints },
      restarts: this.restarts,
      batchLatenciesMs,
      final,
    };
  }

  private freshThreads(): ThreadSample[] {
    return Array.from({ length: Math.max(1, this.options.workers) }, () => ({
      latest: undefined,
      reported: undefined,
      busyRatio: 0,
      staleReports: 0,
      keyGroupEvents: undefined,
      liveKeys: undefined,
      rejects: {},
    }));
  }

  private workerMetrics(sample: ThreadSample): WorkerMetrics {
    const { latest, reported } = sample;
    sample.reported = latest;
    if (latest === undefined) return { busyRatio: 0, averageBusyRatio: 0, events: 0 };
    const since = reported ?? { busyMs: 0, upMs: 0 };
    const span = latest.upMs - since.upMs;
    if (span > 0) {
      sample.busyRatio = clampRatio((latest.busyMs - since.busyMs) / span);
      sample.staleReports = 0;
    } else if (++sample.staleReports > 1) {
      // Nothing from the thread for two intervals: it has had no part to apply (a thread in one
      // long chunk is the exception). One silent interval keeps the last ratio: a loaded machine
      // can space a busy thread's outputs that far apart.
      sample.busyRatio = 0;
    }
    return {
      busyRatio: sample.busyRatio,
      averageBusyRatio: latest.upMs > 0 ? clampRatio(latest.busyMs / latest.upMs) : 0,
      events: latest.events,
    };
  }

  private liveKeys(): number | undefined {
    if (this.probe?.liveKeys !== undefined) return this.probe.liveKeys();
    let live: number | undefined;
    for (const sample of this.threads) {
      if (sample.liveKeys !== undefined) live = (live ?? 0) + sample.liveKeys;
    }
    return live;
  }

  private keyGroupSkew(): number {
    const { partitions } = this.options;
    const totals = new Float64Array(partitions);
    const add = (counts: Float64Array | undefined) => {
      if (counts === undefined) return;
      for (let kg = 0; kg < partitions; kg++) totals[kg]! += counts[kg] ?? 0;
    };
    add(this.probe?.keyGroupEvents);
    for (const sample of this.threads) add(sample.keyGroupEvents);
    let max = 0;
    let sum = 0;
    for (let kg = 0; kg < partitions; kg++) {
      const n = totals[kg]!;
      sum += n;
      if (n > max) max = n;
    }
    return sum > 0 ? max / (sum / partitions) : 0;
  }
}

function clampRatio(ratio: number): number {
  return Math.min(1, Math.max(0, ratio));
}
