import { type JobMetrics, REJECT_REASONS } from '@statecraft/engine';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StatusSnapshot } from '../status/status-snapshot.js';

/** Seconds: sub-millisecond chunks of a small run up to chunks held for seconds by a slow sink. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The run's Prometheus metrics. The job reports totals; counters are advanced by what the totals
 * grew since the last report, so a restart that goes back to a checkpoint never makes one shrink.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'statecraft_events_total',
    help: 'Events processed (their alerts written).',
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'statecraft_alerts_total',
    help: 'Alerts written.',
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'statecraft_rejected_total',
    help: 'Input records rejected, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly batchLatency = new Histogram({
    name: 'statecraft_batch_latency_seconds',
    help: 'Time from a chunk entering the job (source) to its alerts being written.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: 'statecraft_in_flight_batches',
    help: 'Chunks handed to the workers whose alerts are not written yet (queue depth).',
    registers: [this.registry],
  });
  private readonly liveAddresses = new Gauge({
    name: 'statecraft_live_addresses',
    help: 'Addresses holding state machine state.',
    registers: [this.registry],
  });
  private readonly workerBusy = new Gauge({
    name: 'statecraft_worker_busy_ratio',
    help: 'Share of the last interval each worker thread spent producing chunks and applying events.',
    labelNames: ['worker'] as const,
    registers: [this.registry],
  });
  private readonly skew = new Gauge({
    name: 'statecraft_key_group_skew',
    help: 'Max / mean events per key group (1 is even).',
    registers: [this.registry],
  });
  private readonly checkpointDuration = new Gauge({
    name: 'statecraft_checkpoint_duration_seconds',
    help: 'Duration of the last completed checkpoint.',
    registers: [this.registry],
  });
  private readonly checkpoints = new Counter({
    name: 'statecraft_checkpoints_total',
    help: 'Checkpoints completed.',
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: 'statecraft_restarts_total',
    help: 'Restarts from the last checkpoint after a worker failed.',
    registers: [this.registry],
  });
  private readonly seen = new Map<string, number>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const reason of REJECT_REASONS) this.rejected.labels(reason).inc(0);
  }

  update(metrics: JobMetrics, snapshot: StatusSnapshot): void {
    this.advance('events', this.events, metrics.events);
    this.advance('alerts', this.alerts, metrics.outputs);
    for (const [reason, total] of Object.entries(snapshot.rejectedByReason)) {
      this.advance(`rejected ${reason}`, this.rejected.labels(reason), total ?? 0);
    }
    for (const ms of metrics.batchLatenciesMs) this.batchLatency.observe(ms / 1000);
    this.inFlight.set(metrics.inFlightChunks);
    if (metrics.liveKeys !== undefined) this.liveAddresses.set(metrics.liveKeys);
    metrics.workers.forEach((worker, index) => {
      this.workerBusy.labels(String(index)).set(worker.busyRatio);
    });
    this.skew.set(metrics.keyGroupSkew);
    this.checkpointDuration.set(metrics.checkpoints.lastMs / 1000);
    this.advance('checkpoints', this.checkpoints, metrics.checkpoints.taken);
    this.advance('restarts', this.restarts, metrics.restarts);
  }

  private advance(key: string, counter: { inc(value: number): void }, total: number): void {
    const previous = this.seen.get(key) ?? 0;
    if (total <= previous) return;
    counter.inc(total - previous);
    this.seen.set(key, total);
  }
}
