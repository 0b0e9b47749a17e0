import type { StatusSnapshot } from '../status/status-snapshot.js';
import type { RunTitle } from '../status/status-text.js';

/** One point of the dashboard's charts. */
export interface DashboardSample {
  /** Seconds since the run started. */
  t: number;
  eventsPerSecond: number;
  events: number;
  alerts: number;
  /** Per worker, busy share of the interval (0..1). */
  busy: number[];
  inFlight: number;
}

/** Five minutes of history at two samples a second. */
const MAX_SAMPLES = 600;

/** The recent history the dashboard page polls (`/api/status`). */
export class DashboardFeed {
  private readonly samples: DashboardSample[] = [];
  private latest: StatusSnapshot | undefined;

  constructor(private readonly title: RunTitle) {}

  add(snapshot: StatusSnapshot): void {
    this.latest = snapshot;
    this.samples.push({
      t: snapshot.elapsedMs / 1000,
      eventsPerSecond: snapshot.eventsPerSecond,
      events: snapshot.events,
      alerts: snapshot.alerts,
      busy: snapshot.workerBusy,
      inFlight: snapshot.inFlightChunks,
    });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  json(): string {
    return JSON.stringify({ title: this.title, latest: this.latest ?? null, samples: this.samples });
  }
}
