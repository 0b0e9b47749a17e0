import type { JobStart } from '../../checkpoint/checkpoint.js';
import type { CheckpointCoordinator } from '../../checkpoint/coordinator.js';
import { threadStarts } from '../../checkpoint/thread-starts.js';
import { OrderedCollector } from '../../collect/ordered-collector.js';
import { InputError, isStatecraftError, type StatecraftError } from '../../errors.js';
import { type ChunkFeed, isFedSource, type ParallelSource } from '../../sources/parallel-source.js';
import type { ResolvedJobOptions } from '../job-options.js';
import type { JobMonitor } from '../monitor/job-monitor.js';
import { numberRejectsInFile } from '../reject-numbering.js';
import { ProgressSignal } from '../signal.js';
import { type AttemptResult, mergeRejects } from '../summary.js';
import { ExchangeExecutor } from './exchange-executor.js';

/**
 * A job whose chunks are produced in the worker threads. The main thread only coordinates: it
 * grants chunk indexes within a window past the last chunk written (which bounds memory and makes a
 * slow sink slow every producer), collects each chunk's outputs from all W owners, and writes them
 * in chunk order. A checkpoint is a barrier sent just before the grants pass its chunk. A fed
 * source's inputs are read here within the same window, each sent to its producer before its grant.
 */
export async function runExchangeJob(
  config: ResolvedJobOptions,
  source: ParallelSource,
  start: JobStart,
  checkpoints: CheckpointCoordinator | undefined,
  killThread: readonly [number, number] | undefined,
  monitor?: JobMonitor,
  numberRejects = numberRejectsInFile(config.onRejected),
): Promise<AttemptResult> {
  const { workers, partitions, sourceParallelism, signal, sink } = config;
  const progress = new ProgressSignal();
  const onAbort = () => progress.notify();
  const firstChunk = start?.chunk ?? 0;
  const baseEvents = start?.firstEvent ?? 0;
  const baseOutputs = start?.outputs ?? 0;
  const totals = () => ({
    events: baseEvents + collector.eventsWritten,
    outputs: baseOutputs + collector.written,
  });
  const collector = new OrderedCollector(sink, () => progress.notify(), {
    firstChunk,
    onWritten: (written) => checkpoints?.chunkWritten(written, totals()),
    onRejected: numberRejects,
  });
  monitor?.beginAttempt({ collector, baseEvents, baseOutputs, baseRejects: start?.rejects });

  const window = config.maxInFlightPerWorker * Math.max(workers, sourceParallelism);
  let failure: StatecraftError | undefined;
  // Grants wait until every thread is up, so batch latencies measure processing, not start-up.
  let ready = false;
  const executor = new ExchangeExecutor(
    config.operator,
    source,
    {
      workers,
      partitions,
      sourceParallelism,
      resourceLimits: config.resourceLimits,
      starts: threadStarts(start, { workers, partitions, sourceParallelism, splits: source.splits ?? 1 }),
      killThread,
    },
    {
      onOutput(thread, message) {
        monitor?.threadLoad(thread, message.load);
        collector.deliver(message.chunk, message, message.events);
      },
      onFailure(error) {
        failure ??= error;
        progress.notify();
      },
      onReady() {
        ready = true;
        progress.notify();
      },
      onOwnerState(message) {
        checkpoints?.ownerState(message.chunk, message.keyed, message.expiredKeys);
      },
      onProducerState(message) {
        checkpoints?.producerState(message.chunk, message.splits, message.rejects);
      },
      onRejected(message) {
        collector.deliverRejected(message.chunk, message);
      },
      onLoad(thread, load) {
        monitor?.threadLoad(thread, load);
      },
    },
  );

  let granted = firstChunk;
  // Chunks that may be granted: all of an indexed source's; those of a fed source whose input is sent.
  let available = source.chunks ?? firstChunk;
  let complete = !isFedSource(source);
  const feed: ChunkFeed | undefined = isFedSource(source) ? source.feed(firstChunk) : undefined;
  let feeding = false;
  /** Reads the next fed chunk's input when the window has room for it. */
  const feedUpTo = (limit: number) => {
    if (feed === undefined || complete || feeding || available >= limit) return;
    feeding = true;
    feed.next().then(
      (next) => {
        feeding = false;
        if (next === undefined) complete = true;
        else {
          executor.feed(next);
          available = next.chunk + 1;
        }
        progress.notify();
      },
      (error: unknown) => {
        feeding = false;
        failure ??= isStatecraftError(error)
          ? error
          : new InputError(`cannot read ${source.name}: ${(error as Error).message}`, error);
        progress.notify();
      },
    );
  };
  /**
   * The events of the stream before `chunk`: exact for a source with fixed-size chunks, else the
   * events written so far plus the chunks between at the average size of the ones written.
   */
  const eventsBefore = (chunk: number): number => {
    if (source.chunkEvents !== undefined) return chunk * source.chunkEvents;
    const { events } = totals();
    const written = collector.chunksWritten - firstChunk;
    if (written === 0) return events;
    return events + Math.round(((chunk - collector.chunksWritten) * collector.eventsWritten) / written);
  };
  /** A checkpoint at `chunk`, not granted yet: the barrier goes out before its grant. */
  const checkpointAt = (coordinator: CheckpointCoordinator, chunk: number, events = totals().events) => {
    const now = { chunksWritten: collector.chunksWritten, ...totals() };
    coordinator.begin(chunk, workers, workers, now, events);
    executor.barrier(chunk);
  };
  /**
   * Sends the barriers of the checkpoints due at the chunk boundaries a grant up to `upTo` passes
   * (never the run's first chunk); returns where the grant stops: before a boundary whose
   * checkpoint waits for a write to finish (the coordinator's progress calls grantUpTo again).
   */
  const placeBarriers = (coordinator: CheckpointCoordinator, upTo: number): number => {
    for (let chunk = Math.max(granted, firstChunk + 1); chunk < upTo; chunk++) {
      const events = eventsBefore(chunk);
      const due = coordinator.due(events);
      if (due === 'after-write') return chunk;
      if (due === 'now') checkpointAt(coordinator, chunk, events);
    }
    return upTo;
  };
  // Where a count's boundaries fall in chunks of unknown sizes is estimated from the chunks written:
  // until one is, only the first chunk is granted (else a whole window would pass unchecked).
  const estimating = checkpoints?.byCount === true && source.chunkEvents === undefined;
  const grantUpTo = (limit: number) => {
    let upTo = Math.min(limit, available);
    if (estimating && collector.chunksWritten === firstChunk) upTo = Math.min(upTo, firstChunk + 1);
    if (upTo <= granted) return;
    if (checkpoints !== undefined) upTo = placeBarriers(checkpoints, upTo);
    if (upTo <= granted) return;
    const parts = workers + (source.keepsRejected ? 1 : 0);
    for (let chunk = granted; chunk < upTo; chunk++) collector.expect(chunk, parts);
    granted = upTo;
    executor.grant(granted - 1);
  };
  const allGranted = () => complete && granted >= available;
  const stalled = () =>
    failure !== undefined || collector.error !== undefined || checkpoints?.failure !== undefined;
  if (checkpoints !== undefined) checkpoints.onProgress = () => progress.notify();

  signal?.addEventListener('abort', onAbort);
  try {
    let interrupted = false;
    for (;;) {
      if (stalled()) break;
      if (signal?.aborted) interrupted = true;
      if (!interrupted) feedUpTo(collector.chunksWritten + window);
      if (!interrupted && ready) grantUpTo(collector.chunksWritten + window);
      if (collector.chunksWritten >= granted && (interrupted || allGranted())) break;
      await progress.wait();
    }
    if (interrupted && checkpoints !== undefined && !allGranted()) {
      // Stop with a checkpoint at the first chunk not done, so --resume starts exactly there.
      while (!stalled() && !checkpoints.idle) await progress.wait();
      // Not at the run's first chunk, which a checkpoint already holds; unless the run went on from
      // a head start's state, held in memory only (interrupted before any chunk was granted).
      const durableStart = firstChunk === 0 || (checkpoints.latest?.chunk ?? -1) >= firstChunk;
      if (
        !stalled() &&
        (granted > firstChunk || !durableStart) &&
        (checkpoints.latest?.chunk ?? -1) < granted
      ) {
        checkpointAt(checkpoints, granted);
        while (!stalled() && !checkpoints.idle) await progress.wait();
      }
    }
    if (failure !== undefined) throw failure;
    if (collector.error !== undefined) throw collector.error;
    if (checkpoints?.failure !== undefined) throw checkpoints.failure;
    const results = await executor.finish();
    if (failure !== undefined) throw failure;
    results.forEach((result, thread) => {
      monitor?.threadLoad(thread, result.load);
    });
    return {
      ...totals(),
      chunks: collector.chunksWritten,
      liveKeys: results.reduce((n, r) => n + r.liveKeys, 0),
      expiredKeys: (start?.expiredKeys ?? 0) + results.reduce((n, r) => n + r.expiredKeys, 0),
      latenciesMs: collector.latenciesMs,
      rejects: mergeRejects([start?.rejects ?? {}, ...results.map((r) => r.rejects)]),
      interrupted,
    };
  } catch (error) {
    await executor.destroy();
    await collector.stop();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    feed?.close();
  }
}
