import { runJob } from '../runtime/job.js';
import type { JobOptions } from '../runtime/job-options.js';
import type { JobSummary } from '../runtime/summary.js';
import type { OutputSink } from '../sinks/sink.js';
import { mergeRejects } from '../sources/reject.js';
import { type OperatorModule, toOperatorSpec } from './operator-module.js';
import { type ChunkSource, fromBatches, isSource, type Source } from './source.js';

export interface JobConfig {
  /** A Source (`fromEvents`, `fromFile`, `fromStream`, ...), or chunks already in columnar form. */
  source: Source | ChunkSource;
  /** The keyed operator every worker loads: its module and config. */
  operator: OperatorModule;
  /** Receives the outputs in source order (`recordsSink`, `callbackSink`, `TextStreamSink`). */
  sink: OutputSink;
  /** The event alphabet: sources look record types up here. */
  eventNames?: readonly string[];
  /** Worker threads; 0 runs the operator on the calling thread. Default: available cores. */
  workers?: number;
  /** Key groups (the unit of state ownership). Default 128. */
  partitions?: number;
  /** Threads making the chunks of a parallel source. Default: workers. */
  sourceParallelism?: number;
  /** Chunks queued per worker before the source waits. Default 4. */
  maxInFlightPerWorker?: number;
  /**
   * With workers and a parallel source (`fromFile` on a plain file, `fromGenerator`): start on the
   * calling thread, start the workers once its pace says they will win back their start, and hand
   * over to them once they run (a shorter job starts none). Same output; see the engine's
   * `JobOptions.headStart`. Default false.
   */
  headStart?: boolean;
  /** Heap limits of each worker thread. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /** Aborting it stops the job as `stop()` does. */
  signal?: AbortSignal;
  /**
   * Reliability, for parallel sources (`fromFile` on a plain file, `fromGenerator`), whose
   * chunks can be made again: aligned checkpoints, a checkpoint to resume from, and restarts
   * from the last checkpoint (or the start) when a worker dies. See the engine's `JobOptions`.
   */
  checkpoint?: JobOptions['checkpoint'];
  resumeFrom?: JobOptions['resumeFrom'];
  maxRestarts?: number;
  restartBackoffMs?: number;
  onRestart?: JobOptions['onRestart'];
}

export type JobState = 'ready' | 'running' | 'stopping' | 'done' | 'failed';

/** A job created by `createJob`: run it once, stop it gracefully. */
export interface Job {
  /**
   * Runs the job (the first call starts it; later calls return the same promise). Resolves with
   * the summary once every output is written and the workers are gone; rejects with a
   * StatecraftError (`WORKER_FAILED`, `SINK_FAILED`, `BAD_RECORD`, ...) after shutting them down.
   */
  run(): Promise<JobSummary>;
  /**
   * Stops gracefully: the source is read no further; what was read is processed and written,
   * and `run()` resolves with `interrupted: true`. Stopping before `run()` makes the run empty.
   */
  stop(): void;
  readonly state: JobState;
}

/** A job: a source, a keyed operator run on worker threads, a sink. */
export function createJob(config: JobConfig): Job {
  return new EngineJob(config);
}

class EngineJob implements Job {
  private readonly controller = new AbortController();
  private running: Promise<JobSummary> | undefined;
  private current: JobState = 'ready';

  constructor(private readonly config: JobConfig) {}

  get state(): JobState {
    return this.current;
  }

  run(): Promise<JobSummary> {
    this.running ??= this.start().then(
      (summary) => {
        this.current = 'done';
        return summary;
      },
      (error: unknown) => {
        this.current = 'failed';
        throw error;
      },
    );
    return this.running;
  }

  stop(): void {
    if (this.current === 'running') this.current = 'stopping';
    this.controller.abort();
  }

  private async start(): Promise<JobSummary> {
    this.current = this.controller.signal.aborted ? 'stopping' : 'running';
    const { config } = this;
    const signal =
      config.signal === undefined
        ? this.controller.signal
        : AbortSignal.any([config.signal, this.controller.signal]);
    const source = isSource(config.source) ? config.source : fromBatches(config.source);
    const opened = await source.open({ eventNames: config.eventNames, signal });
    try {
      const summary = await runJob({
        source: opened.chunks,
        operator: toOperatorSpec(config.operator),
        sink: config.sink,
        signal,
        workers: config.workers,
        partitions: config.partitions,
        sourceParallelism: config.sourceParallelism,
        maxInFlightPerWorker: config.maxInFlightPerWorker,
        headStart: config.headStart,
        resourceLimits: config.resourceLimits,
        checkpoint: config.checkpoint,
        resumeFrom: config.resumeFrom,
        maxRestarts: config.maxRestarts,
        restartBackoffMs: config.restartBackoffMs,
        onRestart: config.onRestart,
      });
      const rejects =
        opened.rejects === undefined ? summary.rejects : mergeRejects([summary.rejects, opened.rejects()]);
      return { ...summary, rejects };
    } finally {
      await opened.close?.();
    }
  }
}
