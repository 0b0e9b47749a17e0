import type { Checkpoint, JobStart } from '../checkpoint/checkpoint.js';
import type { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import { restoreOperator, snapshotOperator } from '../checkpoint/operator-state.js';
import { OrderedCollector } from '../collect/ordered-collector.js';
import { OutputBuffer } from '../collect/output-buffer.js';
import { WorkerFailedError } from '../errors.js';
import type { KeyedOperator } from '../operator.js';
import { Partitioner } from '../partitioning/partitioner.js';
import { loadChunkProducer, type ParallelSource } from '../sources/parallel-source.js';
import { openChunkInputs } from './chunk-inputs.js';
import type { ResolvedJobOptions } from './job-options.js';
import { loadOperator } from './load-operator.js';
import type { JobMonitor } from './monitor/job-monitor.js';
import { LoadReporter, loadDetailIntervalMs } from './monitor/thread-load.js';
import { numberRejectsInFile } from './reject-numbering.js';
import { ProgressSignal } from './signal.js';
import { type AttemptResult, mergeRejects } from './summary.js';

export interface InlineResult extends AttemptResult {
  /**
   * Where the job goes on when it was handed over: its whole state at the first chunk not done; the
   * run's own start when the operator cannot hand its state over (no snapshot or restore).
   */
  handedOver?: { start: JobStart };
}

/**
 * `--workers 0` with a parallel source: the same producer, partitioner, operator and collector on
 * the calling thread, chunk by chunk. A checkpoint is taken between two chunks, where the operator
 * and the producer both stand exactly at the next one. When `handOver` says so at such a boundary
 * (the head start of a job with workers, see runJob), the job stops there once its outputs are
 * written and returns its state as of the next chunk, for the worker threads to go on from.
 */
export async function runInlineJob(
  config: ResolvedJobOptions,
  source: ParallelSource,
  start: JobStart,
  checkpoints: CheckpointCoordinator | undefined,
  monitor?: JobMonitor,
  handOver?: (nextChunk: number) => boolean,
  numberRejects = numberRejectsInFile(config.onRejected),
): Promise<InlineResult> {
  const { partitions, signal, sink } = config;
  const firstChunk = start?.chunk ?? 0;
  const baseEvents = start?.firstEvent ?? 0;
  const baseOutputs = start?.outputs ?? 0;
  const producer = await loadChunkProducer(source, start?.splits ?? []);
  let reporter: LoadReporter | undefined;
  let stopWriting: (() => Promise<void>) | undefined;
  let closeInputs: (() => void) | undefined;
  try {
    const operator = await loadInlineOperator(config, start);
    if (handOver !== undefined && (operator.snapshot === undefined || operator.restore === undefined)) {
      return { ...NOTHING_DONE, chunks: firstChunk, handedOver: { start } };
    }
    const progress = new ProgressSignal();
    const totals = () => ({
      events: baseEvents + collector.eventsWritten,
      outputs: baseOutputs + collector.written,
    });
    const collector = new OrderedCollector(sink, () => progress.notify(), {
      firstChunk,
      onWritten: (written) => checkpoints?.chunkWritten(written, totals()),
      onRejected: numberRejects,
    });
    stopWriting = () => collector.stop();
    const partitioner = new Partitioner(1, partitions);
    const out = new OutputBuffer();
    reporter = new LoadReporter(
      loadDetailIntervalMs(partitions),
      () => ({ liveKeys: operator.liveKeys() }),
      (load) => monitor?.threadLoad(0, load),
    );
    monitor?.beginAttempt({
      collector,
      baseEvents,
      baseOutputs,
      baseRejects: start?.rejects,
      keyGroupEvents: partitioner.keyGroupEvents,
      rejects: () => producer.rejects?.() ?? {},
    });
    // As with one worker: maxInFlightPerWorker chunks in the operator and as many at the sink.
    const maxBacklog = config.maxInFlightPerWorker * 2;
    let firstEvent = baseEvents;
    let interrupted = false;
    let handedOver: { start: Checkpoint } | undefined;
    // Counted from the run's start, as a checkpoint holds them.
    const rejectsSoFar = () => mergeRejects([start?.rejects ?? {}, producer.rejects?.() ?? {}]);
    const expiredSoFar = () => (start?.expiredKeys ?? 0) + (operator.expiredKeys?.() ?? 0);
    const checkpointAt = (chunk: number) => {
      const now = { chunksWritten: collector.chunksWritten, ...totals() };
      checkpoints!.begin(chunk, 1, 1, now, firstEvent);
      checkpoints!.ownerState(chunk, snapshotOperator(operator), operator.expiredKeys?.() ?? 0);
      checkpoints!.producerState(chunk, producer.snapshot?.() ?? [], producer.rejects?.() ?? {});
    };
    const inputs = openChunkInputs(source, firstChunk);
    closeInputs = () => inputs.close();
    // The next chunk is asked for while this one is processed (a fed source reads ahead meanwhile).
    const ask = () => {
      const asked = inputs.next();
      asked.catch(() => undefined);
      return asked;
    };
    let following = ask();
    for (;;) {
      // A turn of the event loop per chunk: signals (SIGINT) and the sink's I/O get their chance.
      await new Promise((resolve) => setImmediate(resolve));
      while (collector.error === undefined && collector.backlog > maxBacklog) await progress.wait();
      if (collector.error !== undefined) throw collector.error;
      if (checkpoints?.failure !== undefined) throw checkpoints.failure;
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const next = await following;
      if (next === undefined) break;
      const { chunk } = next;
      if (handOver?.(chunk) === true) {
        while (collector.error === undefined && collector.backlog > 0) await progress.wait();
        if (collector.error !== undefined) throw collector.error;
        if (signal?.aborted) {
          // Interrupted while the outputs were written: stop here, as at the top of the loop.
          interrupted = true;
          break;
        }
        const state: Checkpoint = {
          job: start?.job ?? '',
          chunk,
          firstEvent,
          outputs: totals().outputs,
          outputPosition: sink.position?.() ?? 0,
          rejects: rejectsSoFar(),
          expiredKeys: expiredSoFar(),
          workers: 0,
          partitions,
          sourceParallelism: 1,
          createdAt: new Date().toISOString(),
          keyed: snapshotOperator(operator),
          splits: producer.snapshot?.() ?? [],
        };
        handedOver = { start: state };
        break;
      }
      following = ask();
      reporter.clock.begin();
      const batch = producer.produce(chunk, next.input);
      const events = batch.count;
      const part = partitioner.whole(batch);
      try {
        operator.process(part, out, { chunk, firstEvent });
      } catch (error) {
        throw WorkerFailedError.from(0, error);
      } finally {
        reporter.clock.end();
      }
      firstEvent += events;
      monitor?.threadLoad(0, reporter.load(firstEvent - baseEvents));
      collector.expect(chunk, source.keepsRejected ? 2 : 1, events);
      if (source.keepsRejected) {
        collector.deliverRejected(chunk, producer.takeRejected?.() ?? { lines: 0, records: [] });
      }
      collector.deliver(chunk, out.take());
      const due = checkpoints?.due(firstEvent) ?? 'no';
      if (due !== 'no' && (await following) !== undefined) {
        if (due === 'after-write') await checkpoints!.whenRoom();
        checkpointAt(chunk + 1);
      }
    }
    while (collector.error === undefined && collector.backlog > 0) await progress.wait();
    if (collector.error !== undefined) throw collector.error;
    monitor?.threadLoad(0, reporter.load(firstEvent - baseEvents, true));
    const stoppedAt = interrupted ? (await following)?.chunk : undefined;
    if (checkpoints !== undefined && stoppedAt !== undefined) {
      // Stop with a checkpoint where the run stopped, so --resume starts exactly there. An earlier
      // checkpoint is complete once its chunks are written, as they now are.
      await checkpoints.whenWritten();
      if ((checkpoints.latest?.chunk ?? -1) < stoppedAt) {
        checkpointAt(stoppedAt);
        await checkpoints.whenWritten();
      }
    }
    if (checkpoints?.failure !== undefined) throw checkpoints.failure;
    let liveKeys: number;
    let expiredKeys: number;
    try {
      liveKeys = operator.liveKeys();
      expiredKeys = expiredSoFar();
    } catch (error) {
      throw WorkerFailedError.from(0, error);
    }
    return {
      ...totals(),
      chunks: collector.chunksWritten,
      liveKeys,
      expiredKeys,
      latenciesMs: collector.latenciesMs,
      rejects: rejectsSoFar(),
      interrupted,
      ...(handedOver === undefined ? {} : { handedOver }),
    };
  } catch (error) {
    await stopWriting?.();
    throw error;
  } finally {
    reporter?.stop();
    closeInputs?.();
    producer.close?.();
  }
}

const NOTHING_DONE: AttemptResult = {
  events: 0,
  outputs: 0,
  chunks: 0,
  liveKeys: 0,
  expiredKeys: 0,
  latenciesMs: [],
  rejects: {},
  interrupted: false,
};

async function loadInlineOperator(config: ResolvedJobOptions, start: JobStart): Promise<KeyedOperator> {
  try {
    const { partitions } = config;
    const operator = await loadOperator(config.operator, {
      partitions,
      keyGroupStart: 0,
      keyGroupEnd: partitions - 1,
    });
    if (start !== undefined) restoreOperator(operator, start.keyed);
    return operator;
  } catch (error) {
    throw WorkerFailedError.from(0, error);
  }
}
