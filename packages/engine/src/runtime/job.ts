import type { EventBatch, OutputColumns } from '../batch.js';
import { OrderedCollector } from '../collect/ordered-collector.js';
import type { StatecraftError } from '../errors.js';
import { Partitioner } from '../partitioning/partitioner.js';
import { closeSink } from '../sinks/close-sink.js';
import { isParallelSource, loadChunkProducer, type ParallelSource } from '../sources/parallel-source.js';
import type { RejectReason } from '../sources/reject.js';
import type { Executor, ExecutorListener } from './executor.js';
import { InlineExecutor } from './inline-executor.js';
import { type JobOptions, type ResolvedJobOptions, resolveJobOptions } from './job-options.js';
import { runExchangeJob } from './parallel/exchange-job.js';
import { ProgressSignal } from './signal.js';
import { type JobSummary, summarize } from './summary.js';
import { ThreadExecutor } from './thread-executor.js';

/**
 * Runs a keyed job: source chunks → key groups → owning workers → ordered collector → sink.
 * Resolves with the summary once every output is written; rejects with a StatecraftError when a
 * worker or the sink fails, after the pool has shut down.
 */
export async function runJob(options: JobOptions): Promise<JobSummary> {
  const config = resolveJobOptions(options);
  if (isParallelSource(config.source)) {
    if (config.workers > 0) return runExchangeJob(config, config.source);
    const inline = new InlineProduction(config.source);
    return runSequential(config, inline.chunks(), () => inline.rejects);
  }
  return runSequential(config, config.source, () => ({}));
}

/** A parallel source's chunks made in index order on the calling thread (`--workers 0`). */
class InlineProduction {
  rejects: Partial<Record<RejectReason, number>> = {};

  constructor(private readonly source: ParallelSource) {}

  async *chunks(): AsyncGenerator<EventBatch> {
    const producer = await loadChunkProducer(this.source);
    try {
      for (let chunk = 0; chunk < this.source.chunks; chunk++) {
        yield producer.produce(chunk);
        this.rejects = producer.rejects?.() ?? {};
      }
    } finally {
      producer.close?.();
    }
  }
}

async function runSequential(
  config: ResolvedJobOptions,
  source: Iterable<EventBatch> | AsyncIterable<EventBatch>,
  rejects: () => Partial<Record<RejectReason, number>>,
): Promise<JobSummary> {
  const { workers, partitions, maxInFlightPerWorker, signal, sink } = config;
  const started = performance.now();
  const progress = new ProgressSignal();
  const onAbort = () => progress.notify();
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
  signal?.addEventListener('abort', onAbort);
  const maxBacklog = maxInFlightPerWorker * (executor.slots + 1);

  const throwIfFailed = () => {
    if (failure !== undefined) throw failure;
    if (collector.error !== undefined) throw collector.error;
  };
  const stalled = () => failure !== undefined || collector.error !== undefined;
  const hasCapacity = () => collector.backlog < maxBacklog && inFlight.every((n) => n < maxInFlightPerWorker);

  try {
    const partitioner = new Partitioner(executor.slots, partitions);
    let chunk = 0;
    let events = 0;
    let interrupted = false;
    for await (const batch of source) {
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
    // A source that ends because of the abort (an idle pipe it stopped reading) is interrupted too.
    interrupted ||= signal?.aborted === true;
    while (!stalled() && collector.backlog > 0) await progress.wait();
    throwIfFailed();
    const results = await executor.finish();
    throwIfFailed();
    await closeSink(sink);
    return summarize({
      started,
      events,
      outputs: collector.written,
      chunks: chunk,
      workers,
      partitions,
      sourceParallelism: 0,
      liveKeys: results.reduce((n, r) => n + r.liveKeys, 0),
      latenciesMs: collector.latenciesMs,
      rejects: rejects(),
      interrupted,
    });
  } catch (error) {
    await executor.destroy();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
