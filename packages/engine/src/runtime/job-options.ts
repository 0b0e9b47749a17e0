import { availableParallelism } from 'node:os';
import type { Checkpoint } from '../checkpoint/checkpoint.js';
import type { CheckpointPolicy } from '../checkpoint/coordinator.js';
import { InvalidJobOptionsError } from '../errors.js';
import type { OperatorSpec } from '../operator.js';
import { DEFAULT_PARTITIONS, MAX_PARTITIONS } from '../partitioning/key-groups.js';
import type { OutputSink } from '../sinks/sink.js';
import { isFedSource, isParallelSource, type ParallelSource } from '../sources/parallel-source.js';
import type { RejectedRecord } from '../sources/reject.js';
import type { JobMetrics } from './monitor/job-metrics.js';
import type { SequentialItem } from './state-commands.js';

export interface JobOptions {
  /**
   * Chunks of events in source order (the chunk index is the position in this sequence), made on
   * the calling thread, with state commands between them if the source moves state by scope (see
   * StateCommand); or a ParallelSource whose chunks the worker threads make themselves.
   */
  source: Iterable<SequentialItem> | AsyncIterable<SequentialItem> | ParallelSource;
  operator: OperatorSpec;
  sink: OutputSink;
  /** Worker threads; 0 runs the operator inline on the calling thread. Default: available cores. */
  workers?: number;
  /** Key groups P (the unit of state ownership). Default 128. */
  partitions?: number;
  /** Producer threads of a ParallelSource (hosted round-robin on the workers). Default: workers. */
  sourceParallelism?: number;
  /** Parts queued per worker before the source waits (backpressure). Default 4. */
  maxInFlightPerWorker?: number;
  /** Aborting stops reading the source; what is in flight is processed and written. */
  signal?: AbortSignal;
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /** Take aligned checkpoints (needs a ParallelSource, whose chunks can be produced again). */
  checkpoint?: CheckpointPolicy;
  /** Start from this checkpoint instead of chunk 0 (e.g. `CheckpointStore.loadNewest(job).checkpoint`). */
  resumeFrom?: Checkpoint | undefined;
  /** Restarts from the last checkpoint (or the start) after a worker fails. Default 0. */
  maxRestarts?: number;
  /** Wait before restart n: `restartBackoffMs · 2^(n-1)`, at most 10 s. Default 250. */
  restartBackoffMs?: number;
  /** Told about each restart before it happens. */
  onRestart?: (restart: RestartInfo) => void;
  /**
   * Gets every record a source with keepsRejected rejected, in input order, with its line in the
   * whole input (dead letters); throwing a StatecraftError (e.g. BadRecordError for --strict) stops
   * the job with it, after the outputs of the chunks before the record's chunk are written.
   */
  onRejected?: (record: RejectedRecord) => void;
  /**
   * Live metrics, every `metricsIntervalMs` and once more when the job has ended. Costs nothing
   * when absent; when present, the counters the job keeps anyway are read on a timer. If it
   * throws, reporting stops and the job fails with that error once it has ended.
   */
  onMetrics?: (metrics: JobMetrics) => void;
  /** Milliseconds between onMetrics reports. Default 500. */
  metricsIntervalMs?: number;
  /**
   * With workers and a source that can be produced from any chunk (the generator, a file; not a
   * fed stream such as stdin or .gz): start the job on the calling thread, start the worker threads
   * once the work left (at the calling thread's pace so far) is enough for them to win back their
   * boot and taking over, and hand its state over to them, at a chunk boundary, once they all run
   * if it still is; else finish it there. A job of fewer than HEAD_START_MIN_CHUNKS chunks starts no threads. The output is the
   * same; the summary's headStartChunks says how many chunks ran on the calling thread.
   * Default false: every chunk is processed in the worker threads (what benchmarks of worker
   * counts want).
   */
  headStart?: boolean;
  /**
   * For tests: a head start goes on at least until this chunk, then hands over once the threads
   * run with 8 chunks left or more, whatever the job's length and the machine's cores (so a
   * hand-over lands mid-job on any machine).
   */
  headStartUntilChunk?: number;
  /** Fault injection for tests: entry n kills thread `[0]` after it applied `[1]` events in attempt n. */
  injectWorkerDeaths?: readonly (readonly [number, number])[];
}

export interface RestartInfo {
  /** 1 for the first restart. */
  restart: number;
  maxRestarts: number;
  error: Error;
  /** The chunk the job restarts at (0 without a checkpoint). */
  fromChunk: number;
  backoffMs: number;
}

export interface ResolvedJobOptions extends JobOptions {
  workers: number;
  partitions: number;
  maxInFlightPerWorker: number;
  sourceParallelism: number;
  maxRestarts: number;
  restartBackoffMs: number;
}

const isCount = (value: number, min: number) => Number.isSafeInteger(value) && value >= min;

export function resolveJobOptions(options: JobOptions): ResolvedJobOptions {
  const workers = options.workers ?? availableParallelism();
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  const maxInFlightPerWorker = options.maxInFlightPerWorker ?? 4;
  if (!isCount(workers, 0))
    throw new InvalidJobOptionsError(`workers must be an integer ≥ 0, got ${workers}`);
  if (!isCount(partitions, 1) || partitions > MAX_PARTITIONS) {
    throw new InvalidJobOptionsError(
      `partitions must be an integer in 1..${MAX_PARTITIONS}, got ${partitions}`,
    );
  }
  if (workers > partitions) {
    throw new InvalidJobOptionsError(
      `workers (${workers}) cannot exceed partitions (${partitions}): each worker owns at least one key group`,
    );
  }
  if (!isCount(maxInFlightPerWorker, 1)) {
    throw new InvalidJobOptionsError(
      `maxInFlightPerWorker must be an integer ≥ 1, got ${maxInFlightPerWorker}`,
    );
  }
  if (isParallelSource(options.source) && !isFedSource(options.source)) {
    const { chunks, splits } = options.source;
    if (!isCount(chunks, 0))
      throw new InvalidJobOptionsError(`source chunks must be an integer ≥ 0, got ${chunks}`);
    if (!isCount(splits, 1))
      throw new InvalidJobOptionsError(`source splits must be an integer ≥ 1, got ${splits}`);
  }
  const sourceParallelism = options.sourceParallelism ?? Math.max(1, workers);
  if (!isCount(sourceParallelism, 1)) {
    throw new InvalidJobOptionsError(`sourceParallelism must be an integer ≥ 1, got ${sourceParallelism}`);
  }
  const { metricsIntervalMs } = options;
  if (metricsIntervalMs !== undefined && !(metricsIntervalMs >= 10 && Number.isFinite(metricsIntervalMs))) {
    throw new InvalidJobOptionsError(`metricsIntervalMs must be a number ≥ 10, got ${metricsIntervalMs}`);
  }
  const maxRestarts = options.maxRestarts ?? 0;
  if (!isCount(maxRestarts, 0))
    throw new InvalidJobOptionsError(`maxRestarts must be an integer ≥ 0, got ${maxRestarts}`);
  const replayable = isParallelSource(options.source);
  if (
    !replayable &&
    (options.checkpoint !== undefined || options.resumeFrom !== undefined || maxRestarts > 0)
  ) {
    throw new InvalidJobOptionsError(
      'checkpoints, resuming and restarts need a source that can be produced again from any chunk (a ParallelSource: a file or the generator), not an iterable',
    );
  }
  const { everyEvents, everyMs } = options.checkpoint ?? {};
  if (options.checkpoint !== undefined && !(everyEvents! >= 1 || everyMs! > 0)) {
    throw new InvalidJobOptionsError('checkpoint needs everyEvents ≥ 1 or everyMs > 0');
  }
  const resumeAt = options.resumeFrom?.chunk ?? 0;
  const knownChunks = replayable ? (options.source as ParallelSource).chunks : undefined;
  if (knownChunks !== undefined && resumeAt > knownChunks) {
    throw new InvalidJobOptionsError(
      `the checkpoint is at chunk ${resumeAt}, past the source's ${knownChunks} chunks`,
    );
  }
  return {
    ...options,
    workers,
    partitions,
    maxInFlightPerWorker,
    sourceParallelism,
    maxRestarts,
    restartBackoffMs: options.restartBackoffMs ?? 250,
  };
}
