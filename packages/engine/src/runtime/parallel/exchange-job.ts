import { OrderedCollector } from '../../collect/ordered-collector.js';
import type { StatecraftError } from '../../errors.js';
import { closeSink } from '../../sinks/close-sink.js';
import type { ParallelSource } from '../../sources/parallel-source.js';
import type { ResolvedJobOptions } from '../job-options.js';
import { ProgressSignal } from '../signal.js';
import { type JobSummary, mergeRejects, summarize } from '../summary.js';
import { ExchangeExecutor } from './exchange-executor.js';

/**
 * A job whose chunks are produced in the worker threads. The main thread only coordinates: it
 * grants chunk indexes within a window past the last chunk written (which bounds memory and makes a
 * slow sink slow every producer), collects each chunk's outputs from all W owners, and writes them
 * in chunk order.
 */
export async function runExchangeJob(
  config: ResolvedJobOptions,
  source: ParallelSource,
): Promise<JobSummary> {
  const { workers, partitions, sourceParallelism, signal, sink } = config;
  const started = performance.now();
  const progress = new ProgressSignal();
  const onAbort = () => progress.notify();
  signal?.addEventListener('abort', onAbort);
  const collector = new OrderedCollector(sink, () => progress.notify());
  const window = config.maxInFlightPerWorker * Math.max(workers, sourceParallelism);
  let failure: StatecraftError | undefined;
  let events = 0;
  // Grants wait until every thread is up, so batch latencies measure processing, not start-up.
  let ready = false;
  const executor = new ExchangeExecutor(
    config.operator,
    source,
    { workers, partitions, sourceParallelism, resourceLimits: config.resourceLimits },
    {
      onOutput(_thread, message) {
        events += message.events;
        collector.deliver(message.chunk, message);
      },
      onFailure(error) {
        failure ??= error;
        progress.notify();
      },
      onReady() {
        ready = true;
        progress.notify();
      },
    },
  );

  let granted = 0;
  const grantUpTo = (limit: number) => {
    const upTo = Math.min(limit, source.chunks);
    if (upTo <= granted) return;
    for (let chunk = granted; chunk < upTo; chunk++) collector.expect(chunk, workers);
    granted = upTo;
    executor.grant(granted - 1);
  };
  const stalled = () => failure !== undefined || collector.error !== undefined;

  try {
    let interrupted = false;
    for (;;) {
      if (stalled()) break;
      if (signal?.aborted) interrupted = true;
      if (!interrupted && ready) grantUpTo(collector.chunksWritten + window);
      if (collector.chunksWritten >= granted && (interrupted || granted >= source.chunks)) break;
      await progress.wait();
    }
    if (failure !== undefined) throw failure;
    if (collector.error !== undefined) throw collector.error;
    const results = await executor.finish();
    if (failure !== undefined) throw failure;
    await closeSink(sink);
    return summarize({
      started,
      events,
      outputs: collector.written,
      chunks: collector.chunksWritten,
      workers,
      partitions,
      sourceParallelism,
      liveKeys: results.reduce((n, r) => n + r.liveKeys, 0),
      latenciesMs: collector.latenciesMs,
      rejects: mergeRejects(results.map((r) => r.rejects)),
      interrupted,
    });
  } catch (error) {
    await executor.destroy();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
