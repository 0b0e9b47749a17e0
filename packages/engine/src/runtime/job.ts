import type { OutputColumns } from '../batch.js';
import { OrderedCollector } from '../collect/ordered-collector.js';
import { SinkError, type StatecraftError } from '../errors.js';
import { Partitioner } from '../partitioning/partitioner.js';
import type { Executor, ExecutorListener } from './executor.js';
import { InlineExecutor } from './inline-executor.js';
import { type JobOptions, resolveJobOptions } from './job-options.js';
import { ProgressSignal } from './signal.js';
import { ThreadExecutor } from './thread-executor.js';

export interface JobSummary {
  events: number;
  outputs: number;
  chunks: number;
  elapsedMs: number;
  eventsPerSecond: number;
  workers: number;
  partitions: number;
  /** Keys holding state at the end of the run. */
  liveKeys: number;
  /** Time from a chunk's submission to its outputs being written, median and 99th percentile. */
  p50BatchMs: number;
  p99BatchMs: number;
  /** True when the job stopped early through its AbortSignal. */
  interrupted: boolean;
}

/**
 * Runs a keyed job: source chunks → key groups → owning workers → ordered collector → sink.
 * Resolves with the summary once every output is written; rejects with a StatecraftError when a
 * worker or the sink fails, after the pool has shut down.
 */
export async function runJob(options: JobOptions): Promise<JobSummary> {
  const config = resolveJobOptions(options);
  const { workers, partitions, maxInFlightPerWorker, signal, sink } = config;
  const started = performance.now();
  const progress = new ProgressSignal();
  const onAbort = () => progress.notify();
  signal?.addEventListener('abort', onAbort);
  const collector = new OrderedCollector(sink, () => progress.notify());
  let failure: StatecraftError | undefined;
  let inFlight = new Uint32Array(Math.max(1, workers));
  const listener: ExecutorListener = {
    onOutput(worker: number, chunk: number, columns: OutputColumns) {
      inFlight[worker]!--;
      collector.deliver(chunk, columns);
      progress.notify();
    },
    onFailure(error) {
      failure ??= error;
      progress.notify();
    },
  };
  const executor: Executor =
    workers === 0
      ? await InlineExecutor.start(config.operator, partitions, listener)
      : new ThreadExecutor(
          config.operator,
          { workers, partitions, resourceLimits: config.resourceLimits },
          listener,
        );
  inFlight = new Uint32Array(executor.slots);
  const maxBacklog = maxInFlightPerWorker * (executor.slots + 1);

  const throwIfFailed = () => {
    if (failure !== undefined) throw failure;
    if (collector.error !== undefined) {
      const reason = collector.error instanceof Error ? collector.error.message : String(collector.error);
      throw collector.error instanceof SinkError ? collector.error : new SinkError(reason, collector.error);
    }
  };
  const stalled = () => failure !== undefined || collector.error !== undefined;
  const hasCapacity = () => collector.backlog < maxBacklog && inFlight.every((n) => n < maxInFlightPerWorker);

  try {
    const partitioner = new Partitioner(executor.slots, partitions);
    let chunk = 0;
    let events = 0;
    let interrupted = false;
    for await (const batch of config.source) {
      while (!stalled() && !hasCapacity()) await progress.wait();
      throwIfFailed();
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const parts = partitioner.split(batch);
      collector.expect(
        chunk,
        parts.reduce((n, part) => (part === undefined ? n : n + 1), 0),
      );
      parts.forEach((part, worker) => {
        if (part === undefined) return;
        inFlight[worker]!++;
        executor.submit(worker, chunk, part);
      });
      events += batch.count;
      chunk++;
    }
    while (!stalled() && collector.backlog > 0) await progress.wait();
    throwIfFailed();
    const results = await executor.finish();
    throwIfFailed();
    await sink.close?.();
    const elapsedMs = performance.now() - started;
    const latencies = collector.latenciesMs.sort((a, b) => a - b);
    return {
      events,
      outputs: collector.written,
      chunks: chunk,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
      workers,
      partitions,
      liveKeys: results.reduce((n, r) => n + r.liveKeys, 0),
      p50BatchMs: percentile(latencies, 0.5),
      p99BatchMs: percentile(latencies, 0.99),
      interrupted,
    };
  } catch (error) {
    await executor.destroy();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
