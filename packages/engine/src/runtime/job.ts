import { setTimeout as sleep } from 'node:timers/promises';
import type { OutputColumns } from '../batch.js';
import type { JobStart } from '../checkpoint/checkpoint.js';
import { loadCheckpointCodec } from '../checkpoint/checkpoint-frame.js';
import { CheckpointCoordinator, type CheckpointStats } from '../checkpoint/coordinator.js';
import { OrderedCollector } from '../collect/ordered-collector.js';
import { StatecraftError, WorkerFailedError } from '../errors.js';
import { Partitioner } from '../partitioning/partitioner.js';
import { closeSink } from '../sinks/close-sink.js';
import { isParallelSource, type ParallelSource } from '../sources/parallel-source.js';
import type { Executor, ExecutorListener } from './executor.js';
import { canHeadStart, runWithHeadStart } from './head-start.js';
import { InlineExecutor } from './inline-executor.js';
import { runInlineJob } from './inline-job.js';
import { type JobOptions, type ResolvedJobOptions, resolveJobOptions } from './job-options.js';
import { DEFAULT_METRICS_INTERVAL_MS, JobMonitor } from './monitor/job-monitor.js';
import type { ThreadLoad } from './monitor/thread-load.js';
import { ScopeCommands } from './scope-commands.js';
import { ProgressSignal } from './signal.js';
import { isStateCommand, type SequentialItem } from './state-commands.js';
import { type AttemptResult, type JobSummary, summarize } from './summary.js';

const NO_CHECKPOINTS: CheckpointStats = { taken: 0, lastMs: 0, lastBytes: 0, totalMs: 0 };
const MAX_BACKOFF_MS = 10_000;

/**
 * Runs a keyed job: source chunks → key groups → owning workers → ordered collector → sink.
 * Resolves with the summary once every output is written; rejects with a StatecraftError when a
 * worker or the sink fails, after the pool has shut down. With a parallel source the job can be
 * checkpointed, resumed, and restarted from its last checkpoint when a worker dies.
 */
export async function runJob(options: JobOptions): Promise<JobSummary> {
  const config = resolveJobOptions(options);
  const started = performance.now();
  const monitor =
    config.onMetrics === undefined
      ? undefined
      : new JobMonitor({
          onMetrics: config.onMetrics,
          intervalMs: config.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS,
          workers: config.workers,
          partitions: config.partitions,
          totalChunks: isParallelSource(config.source) ? config.source.chunks : undefined,
          started,
          resumedEvents: config.resumeFrom?.firstEvent ?? 0,
        });
  try {
    const summary = await runMonitoredJob(config, started, monitor);
    monitor?.finish();
    if (monitor?.failure !== undefined) throw monitor.failure;
    return summary;
  } finally {
    monitor?.finish();
  }
}

async function runMonitoredJob(
  config: ResolvedJobOptions,
  started: number,
  monitor: JobMonitor | undefined,
): Promise<JobSummary> {
  const layout = {
    workers: config.workers,
    partitions: config.partitions,
    sourceParallelism: isParallelSource(config.source) && config.workers > 0 ? config.sourceParallelism : 0,
  };
  if (!isParallelSource(config.source)) {
    const result = await runSequential(config, config.source, monitor);
    await closeSink(config.sink);
    return summarize({
      ...result,
      ...layout,
      started,
      restarts: 0,
      checkpoints: NO_CHECKPOINTS,
      resumedFromChunk: 0,
      resumedEvents: 0,
    });
  }
  const source = config.source;
  const resumed = config.resumeFrom;
  if (config.checkpoint !== undefined) await loadCheckpointCodec();
  const checkpoints =
    config.checkpoint === undefined
      ? undefined
      : new CheckpointCoordinator(config.checkpoint, resumed, layout, config.sink);
  if (checkpoints !== undefined) monitor?.watchCheckpoints(checkpoints.stats);
  let start: JobStart = resumed;
  let restarts = 0;
  for (;;) {
    try {
      const result = await runAttempt(config, source, start, checkpoints, restarts, monitor);
      await checkpoints?.settle();
      await closeSink(config.sink);
      return summarize({
        ...result,
        ...layout,
        started,
        restarts,
        checkpoints: checkpoints?.stats ?? NO_CHECKPOINTS,
        resumedFromChunk: resumed?.chunk ?? 0,
        resumedEvents: resumed?.firstEvent ?? 0,
      });
    } catch (error) {
      if (!(error instanceof WorkerFailedError) || restarts >= config.maxRestarts) {
        await checkpoints?.settle();
        if (restarts > 0 && error instanceof WorkerFailedError) {
          error.message = `${error.message} (after ${restarts} restart${restarts === 1 ? '' : 's'})`;
        }
        throw error;
      }
      restarts++;
      monitor?.restarted(restarts);
      start = checkpoints === undefined ? resumed : await checkpoints.restart();
      const backoffMs = Math.min(MAX_BACKOFF_MS, config.restartBackoffMs * 2 ** (restarts - 1));
      config.onRestart?.({
        restart: restarts,
        maxRestarts: config.maxRestarts,
        error,
        fromChunk: start?.chunk ?? 0,
        backoffMs,
      });
      await config.sink.rewind?.(start?.outputPosition ?? 0);
      await backOff(backoffMs, config.signal);
    }
  }
}

/** Waits before a restart; an interrupt ends the wait, and the next attempt stops at once. */
async function backOff(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the attempt that follows sees the signal.
  }
}

async function runAttempt(
  config: ResolvedJobOptions,
  source: ParallelSource,
  start: JobStart,
  checkpoints: CheckpointCoordinator | undefined,
  attempt: number,
  monitor: JobMonitor | undefined,
): Promise<AttemptResult> {
  if (config.workers === 0) return runInlineJob(config, source, start, checkpoints, monitor);
  if (canHeadStart(config, source, attempt)) {
    return runWithHeadStart(config, source, start, checkpoints, monitor);
  }
  // Worker threads need piscina and the exchange (~20 ms to load): an inline job loads neither.
  const { runExchangeJob } = await import('./parallel/exchange-job.js');
  return runExchangeJob(config, source, start, checkpoints, config.injectWorkerDeaths?.[attempt], monitor);
}

/**
 * An iterable source: chunks are made on the calling thread and split among the workers here; the
 * state commands between them go to every worker in the same order.
 */
async function runSequential(
  config: ResolvedJobOptions,
  source: Iterable<SequentialItem> | AsyncIterable<SequentialItem>,
  monitor: JobMonitor | undefined,
): Promise<AttemptResult> {
  const { workers, partitions, maxInFlightPerWorker, signal, sink } = config;
  const progress = new ProgressSignal();
  const onAbort = () => progress.notify();
  const collector = new OrderedCollector(sink, () => progress.notify());
  let failure: StatecraftError | undefined;
  let inFlight = new Uint32Array(Math.max(1, workers));
  const listener: ExecutorListener = {
    onOutput(worker: number, chunk: number, columns: OutputColumns, load?: ThreadLoad) {
      inFlight[worker]!--;
      monitor?.threadLoad(worker, load);
      collector.deliver(chunk, columns);
      progress.notify();
    },
    onFailure(error) {
      failure ??= error;
      progress.notify();
    },
    onLoad(worker, load) {
      monitor?.threadLoad(worker, load);
    },
    onSnapshot(worker, id, state) {
      commands?.answer(worker, id, state);
      progress.notify();
    },
  };
  let commands: ScopeCommands | undefined;
  const executor: Executor =
    workers === 0
      ? await InlineExecutor.start(config.operator, partitions, listener)
      : new (await import('./thread-executor.js')).ThreadExecutor(
          config.operator,
          { workers, partitions, resourceLimits: config.resourceLimits },
          listener,
        );
  inFlight = new Uint32Array(executor.slots);
  commands = new ScopeCommands(executor, partitions, (error) => {
    failure ??=
      error instanceof StatecraftError
        ? error
        : new StatecraftError('SOURCE_FAILED', `the source failed to take a snapshot: ${String(error)}`, {
            cause: error,
          });
    progress.notify();
  });
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
    monitor?.beginAttempt({
      collector,
      baseEvents: 0,
      baseOutputs: 0,
      keyGroupEvents: partitioner.keyGroupEvents,
    });
    let chunk = 0;
    let firstEvent = 0;
    let interrupted = false;
    for await (const item of source) {
      if (isStateCommand(item)) {
        throwIfFailed();
        commands.apply(item);
        continue;
      }
      const batch = item;
      while (!stalled() && !hasCapacity()) await progress.wait();
      throwIfFailed();
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      // Every worker sees every chunk (empty parts too), so per-chunk operator work such as TTL
      // sweeps happens at the same chunks whatever the worker count.
      const parts = partitioner.splitAll(batch);
      collector.expect(chunk, parts.length, batch.count);
      parts.forEach((part, worker) => {
        inFlight[worker]!++;
        executor.submit(worker, { chunk, firstEvent }, part, batch.scope ?? 0);
      });
      firstEvent += batch.count;
      chunk++;
    }
    // A source that ends because of the abort (an idle pipe it stopped reading) is interrupted too.
    interrupted ||= signal?.aborted === true;
    while (!stalled() && (collector.backlog > 0 || commands.pending > 0)) await progress.wait();
    throwIfFailed();
    const results = await executor.finish();
    throwIfFailed();
    results.forEach((result, worker) => {
      monitor?.threadLoad(worker, result.load);
    });
    return {
      events: collector.eventsWritten,
      outputs: collector.written,
      chunks: chunk,
      liveKeys: results.reduce((n, r) => n + r.liveKeys, 0),
      expiredKeys: results.reduce((n, r) => n + r.expiredKeys, 0),
      latenciesMs: collector.latenciesMs,
      rejects: {},
      interrupted,
    };
  } catch (error) {
    await executor.destroy();
    // A job that has failed writes nothing more: outputs delivered before the failure must not
    // reach the sink after runJob rejected (the caller may close it or read the file by then).
    await collector.stop();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
