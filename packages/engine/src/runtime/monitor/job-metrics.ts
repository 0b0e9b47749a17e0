import type { CheckpointStats } from '../../checkpoint/coordinator.js';
import type { RejectReason } from '../../sources/reject.js';

/** One worker thread's load (the calling thread's, for `workers: 0`). */
export interface WorkerMetrics {
  /** Share of the last interval the thread spent producing chunks and applying parts (0..1). */
  busyRatio: number;
  /** The same since the thread started (this attempt). */
  averageBusyRatio: number;
  /** Events its operator has applied (this attempt). */
  events: number;
}

/**
 * A running job as `JobOptions.onMetrics` sees it, about twice a second and once at the end.
 * Counts include a resumed checkpoint's; rates are this process's own.
 */
export interface JobMetrics {
  /** Milliseconds since runJob started. */
  elapsedMs: number;
  /** Events whose outputs are written (events processed). */
  events: number;
  /** Outputs (alerts) written. */
  outputs: number;
  /** Chunks written: the index of the next chunk to write. */
  chunks: number;
  /** Chunks in the stream, when the source knows (a parallel source); undefined otherwise. */
  totalChunks: number | undefined;
  /** Events per second over the last interval. */
  eventsPerSecond: number;
  /** Events per second since the start. */
  averageEventsPerSecond: number;
  /** Chunks handed to the workers whose outputs are not written yet (the queue depth). */
  inFlightChunks: number;
  /** One entry per worker thread (one for `workers: 0`). */
  workers: WorkerMetrics[];
  /** Keys holding state, as last reported by the workers (undefined until they have). */
  liveKeys: number | undefined;
  /** Max / mean events per key group so far (1 is perfectly even; 0 before any event). */
  keyGroupSkew: number;
  /** Records a parallel source rejected so far, by reason. */
  rejects: Partial<Record<RejectReason, number>>;
  checkpoints: CheckpointStats;
  restarts: number;
  /** Source-to-output latency of each chunk written since the previous report, in milliseconds. */
  batchLatenciesMs: number[];
  /** True for the last report, made when the job has ended (successfully or not). */
  final: boolean;
}
