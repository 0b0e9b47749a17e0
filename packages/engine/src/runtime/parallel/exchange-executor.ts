import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { deserializeError, type StatecraftError, WorkerFailedError } from '../../errors.js';
import type { OperatorSpec } from '../../operator.js';
import { keyGroupRange } from '../../partitioning/key-groups.js';
import {
  type FedChunk,
  isFedSource,
  type ParallelSource,
  producerOfFedChunk,
} from '../../sources/parallel-source.js';
import type { ExecutorListener } from '../executor.js';
import type { ThreadLoad } from '../monitor/thread-load.js';
import { createWorkerPool, type WorkerLimits } from '../worker-pool.js';
import type {
  ControlMessage,
  ExchangeResult,
  ExchangeTask,
  FeedMessage,
  OutMessage,
  OwnerStateMessage,
  ProducerStateMessage,
  RejectedMessage,
  TaskSource,
  ThreadMessage,
  ThreadStart,
} from './protocol.js';

export interface ExchangeExecutorOptions {
  workers: number;
  partitions: number;
  sourceParallelism: number;
  resourceLimits?: WorkerLimits | undefined;
  /** Where each thread starts (chunk 0, or a checkpoint split up among the threads). */
  starts: ThreadStart[];
  /** Fault injection for tests: `[thread, events]` exits that thread after its owner applied that many. */
  killThread?: readonly [number, number] | undefined;
}

export interface ExchangeListener extends Pick<ExecutorListener, 'onFailure'> {
  onOutput(thread: number, message: OutMessage): void;
  /** Every thread has loaded its operator and producer. */
  onReady(): void;
  onOwnerState(message: OwnerStateMessage): void;
  onProducerState(message: ProducerStateMessage): void;
  onRejected(message: RejectedMessage): void;
  /** A thread's load reported on its own (see LoadReporter). */
  onLoad?(thread: number, load: ThreadLoad): void;
}

/**
 * The threads of a parallel-source job: one Piscina pool of W threads, each running one long-lived
 * exchange task; a MessageChannel between every pair of threads carries parts from producers to
 * owners, and one control channel per thread carries grants down and outputs up. The main thread
 * never touches events.
 */
export class ExchangeExecutor {
  private readonly pool: Piscina;
  private readonly controls: MessagePort[] = [];
  private readonly tasks: Promise<ExchangeResult>[] = [];
  private stopped = false;
  private readyThreads = 0;
  private readonly workers: number;
  private readonly sourceParallelism: number;

  constructor(
    operator: OperatorSpec,
    source: ParallelSource,
    options: ExchangeExecutorOptions,
    private readonly listener: ExchangeListener,
  ) {
    const { workers, partitions, sourceParallelism } = options;
    this.workers = workers;
    this.sourceParallelism = sourceParallelism;
    const taskSource = taskSourceOf(source);
    this.pool = createWorkerPool(workers, options.resourceLimits, (error) =>
      this.fail(WorkerFailedError.from(-1, error)),
    );
    const peers: (MessagePort | undefined)[][] = Array.from({ length: workers }, () => new Array(workers));
    for (let a = 0; a < workers; a++) {
      for (let b = a + 1; b < workers; b++) {
        const { port1, port2 } = new MessageChannel();
        peers[a]![b] = port1;
        peers[b]![a] = port2;
      }
    }
    for (let thread = 0; thread < workers; thread++) {
      const { port1, port2 } = new MessageChannel();
      const { start, end } = keyGroupRange(thread, workers, partitions);
      const producers: number[] = [];
      for (let p = thread; p < sourceParallelism; p += workers) producers.push(p);
      const threadPeers = peers[thread]!;
      const task: ExchangeTask = {
        mode: 'exchange',
        thread,
        threads: workers,
        partitions,
        operator,
        context: { partitions, keyGroupStart: start, keyGroupEnd: end },
        source: taskSource,
        producers,
        sourceParallelism,
        control: port2,
        peers: threadPeers,
        start: options.starts[thread]!,
        dieAfterEvents: options.killThread?.[0] === thread ? options.killThread[1] : undefined,
      };
      port1.on('message', (message: ThreadMessage) => {
        if (message.t === 'out') this.listener.onOutput(thread, message);
        else if (message.t === 'owner-state') this.listener.onOwnerState(message);
        else if (message.t === 'producer-state') this.listener.onProducerState(message);
        else if (message.t === 'rejected') this.listener.onRejected(message);
        else if (message.t === 'load') this.listener.onLoad?.(thread, message.load);
        else if (++this.readyThreads === workers) this.listener.onReady();
      });
      const transfer = [port2, ...threadPeers.filter((port): port is MessagePort => port !== undefined)];
      const run = (this.pool.run(task, { transferList: transfer }) as Promise<ExchangeResult>).then(
        (result) => {
          if (result.error !== undefined) throw deserializeError(thread, result.error);
          return result;
        },
        (error: unknown) => {
          throw WorkerFailedError.from(thread, error);
        },
      );
      run.catch((error: StatecraftError) => this.fail(error));
      this.controls.push(port1);
      this.tasks.push(run);
    }
  }

  /** Lets producers make every chunk with index ≤ upTo. */
  grant(upTo: number): void {
    this.broadcast({ t: 'grant', upTo });
  }

  /** Sends a fed chunk's input to the thread hosting its producer (call before granting the chunk). */
  feed({ chunk, input, transfer }: FedChunk): void {
    if (this.stopped) return;
    const thread = producerOfFedChunk(chunk, this.sourceParallelism) % this.workers;
    this.controls[thread]!.postMessage({ t: 'feed', chunk, input } satisfies FeedMessage, transfer);
  }

  /** Asks every thread for its state as of the start of `chunk` (call before granting `chunk`). */
  barrier(chunk: number): void {
    this.broadcast({ t: 'barrier', chunk });
  }

  async finish(): Promise<ExchangeResult[]> {
    this.broadcast({ t: 'end' });
    try {
      return await Promise.all(this.tasks);
    } finally {
      await this.destroy();
    }
  }

  async destroy(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const port of this.controls) port.close();
    await this.pool.destroy().catch(() => undefined);
  }

  private broadcast(message: ControlMessage): void {
    if (this.stopped) return;
    for (const port of this.controls) port.postMessage(message);
  }

  private fail(error: StatecraftError): void {
    if (this.stopped) return;
    this.listener.onFailure(error);
  }
}

/** The source as the threads get it: no feed (it stays on this thread), the chunk layout if indexed. */
function taskSourceOf(source: ParallelSource): TaskSource {
  const { module, config, keepsRejected } = source;
  return {
    module,
    config,
    keepsRejected,
    indexed: isFedSource(source) ? undefined : { chunks: source.chunks, splits: source.splits },
  };
}
