import { statSync } from 'node:fs';
import {
  type JobMetrics,
  type ParallelSource,
  RecordStreamSource,
  type RejectReason,
} from '@statecraft/engine';
import { usageError } from '../cli-error.js';
import { logger } from '../log/logger.js';
import type { DashboardFeed } from '../metrics/dashboard-feed.js';
import type { MetricsServer } from '../metrics/metrics-server.js';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { integerFlag } from '../options.js';
import type { RunStats } from '../summary.js';
import { inputProgress } from './input-progress.js';
import { TerminalLiveArea } from './live-area.js';
import type { ObservabilityArgs } from './observability-options.js';
import { type StatusSnapshot, StatusTracker } from './status-snapshot.js';
import { progressFields, progressText, type RunTitle, statusLines } from './status-text.js';

export interface MonitoredRun {
  source: Iterable<unknown> | AsyncIterable<unknown> | ParallelSource;
  /** The input flag (undefined for the generator) and the generator's event count. */
  input: string | undefined;
  events: number;
  /** The alerts' destination (`-`: stdout). */
  output: string;
  title: RunTitle;
}

/** How the run shows itself on stderr: an area redrawn in place, periodic lines, or nothing. */
type Display =
  | { kind: 'none' }
  | { kind: 'area'; area: TerminalLiveArea }
  | { kind: 'lines'; everyMs: number; lastAt: number };

/**
 * Watches a running job: the live status area on a terminal (or progress lines in a log), the
 * Prometheus metrics and the dashboard. `onMetrics` goes to runJob; `stop` once the job has ended.
 */
export class RunMonitor {
  private final: JobMetrics | undefined;
  private stopped = false;

  private constructor(
    private readonly title: RunTitle,
    private readonly tracker: StatusTracker,
    private readonly display: Display,
    private readonly served:
      | { prometheus: PrometheusMetrics; feed: DashboardFeed; server: MetricsServer }
      | undefined,
  ) {}

  static async start(args: ObservabilityArgs, run: MonitoredRun): Promise<RunMonitor> {
    const progressMs = progressIntervalMs(args.progressInterval);
    const port =
      args.metricsPort === undefined ? undefined : integerFlag('metrics-port', args.metricsPort, 0, 65535);
    const ownRejects = (): Partial<Record<RejectReason, number>> =>
      run.source instanceof RecordStreamSource ? run.source.rejects.nonZero() : {};
    const tracker = new StatusTracker(
      inputProgress(run.source, { path: run.input, events: run.events, fileSize: fileSize(run.input) }),
      ownRejects,
    );
    let served: RunMonitor['served'];
    if (port !== undefined) {
      // prom-client and the dashboard are loaded only for a run that serves them.
      const [{ PrometheusMetrics }, { DashboardFeed }, { MetricsServer }] = await Promise.all([
        import('../metrics/prometheus-metrics.js'),
        import('../metrics/dashboard-feed.js'),
        import('../metrics/metrics-server.js'),
      ]);
      const prometheus = new PrometheusMetrics();
      const feed = new DashboardFeed(run.title);
      const server = await MetricsServer.start(args.metricsHost ?? '127.0.0.1', port, { prometheus, feed });
      served = { prometheus, feed, server };
      if (!args.quiet) {
        logger.info(`metrics on ${server.url}/metrics, dashboard on ${server.url}/`, { url: server.url });
      }
    }
    // Alerts written to the same terminal would scribble over an area redrawn in place.
    const alertsOnTerminal = run.output === '-' && process.stdout.isTTY === true;
    return new RunMonitor(
      run.title,
      tracker,
      chooseDisplay(args.quiet, progressMs, alertsOnTerminal),
      served,
    );
  }

  /** For JobOptions.onMetrics. */
  readonly onMetrics = (metrics: JobMetrics): void => {
    if (metrics.final) this.final = metrics;
    const snapshot = this.tracker.snapshot(metrics);
    if (this.served !== undefined) {
      this.served.prometheus.update(metrics, snapshot);
      this.served.feed.add(snapshot);
    }
    this.show(snapshot);
  };

  /** Clears the status area and stops serving metrics. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.display.kind === 'area') {
      logger.detach(this.display.area);
      this.display.area.close();
    }
    await this.served?.server.close();
  }

  /** The summary's fields that come from the job's final metrics. */
  statsFields(): Pick<RunStats, 'keyGroupSkew' | 'workerBusy'> {
    return {
      keyGroupSkew: this.final?.keyGroupSkew ?? 0,
      workerBusy: this.final?.workers.map((w) => w.averageBusyRatio) ?? [],
    };
  }

  private show(snapshot: StatusSnapshot): void {
    const display = this.display;
    if (display.kind === 'area') {
      if (snapshot.done) return; // the summary table follows
      logger.attach(display.area);
      display.area.render(statusLines(snapshot, this.title));
      return;
    }
    if (display.kind !== 'lines' || snapshot.done) return;
    if (snapshot.elapsedMs - display.lastAt < display.everyMs) return;
    display.lastAt = snapshot.elapsedMs;
    logger.info(progressText(snapshot), progressFields(snapshot));
  }
}

function chooseDisplay(quiet: boolean, progressMs: number, alertsOnTerminal: boolean): Display {
  if (quiet) return { kind: 'none' };
  if (process.stderr.isTTY && !logger.json && !alertsOnTerminal) {
    return { kind: 'area', area: new TerminalLiveArea(process.stderr) };
  }
  if (progressMs === 0) return { kind: 'none' };
  return { kind: 'lines', everyMs: progressMs, lastAt: 0 };
}

function progressIntervalMs(seconds: number | undefined): number {
  if (seconds === undefined) return 2000;
  if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 86_400)) {
    throw usageError(`--progress-interval must be a number of seconds in 0..86400, got ${seconds}`);
  }
  return seconds * 1000;
}

function fileSize(path: string | undefined): number | undefined {
  if (path === undefined || path === '-') return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
