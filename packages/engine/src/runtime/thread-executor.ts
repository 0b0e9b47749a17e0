import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { WorkerPart } from '../batch.js';
import { stateBuffers } from '../checkpoint/keyed-state.js';
import { WorkerFailedError } from '../errors.js';
import type { ChunkClock, OperatorSpec } from '../operator.js';
import { keyGroupRange } from '../partitioning/key-groups.js';
import type { Executor, ExecutorListener } from './executor.js';
import { createWorkerPool, type WorkerLimits } from './worker-pool.js';
import type { FromWorker, ScopeMessage, ToWorker, WorkerResult, WorkerTask } from './worker-protocol.js';

export interface ThreadExecutorOptions {
  workers: number;
  partitions: number;
  resourceLimits?: WorkerLimits | undefined;
}

/**
 * W worker threads in one Piscina pool, each running one long-lived task for the whole job and
 * fed through its own MessagePort. A thread therefore owns its key groups for the whole run
 * (Piscina alone cannot route a task to a chosen thread), and parts reach it in the order sent.
 */
export class ThreadExecutor implements Executor {
  readonly slots: number;
  private readonly pool: Piscina;
  private readonly ports: MessagePort[] = [];
  private readonly tasks: Promise<WorkerResult>[] = [];
  private stopped = false;

  constructor(
    spec: OperatorSpec,
    options: ThreadExecutorOptions,
    private readonly listener: ExecutorListener,
  ) {
    const { workers, partitions } = options;
    this.slots = workers;
    this.pool = createWorkerPool(workers, options.resourceLimits, (error) => this.fail(-1, error));
    for (let w = 0; w < workers; w++) {
      const { port1, port2 } = new MessageChannel();
      const { start, end } = keyGroupRange(w, workers, partitions);
      const task: WorkerTask = {
        port: port2,
        worker: w,
        operator: spec,
        context: { partitions, keyGroupStart: start, keyGroupEnd: end },
      };
      port1.on('message', (message: FromWorker) => {
        if (message.t === 'out') this.listener.onOutput(w, message.chunk, message, message.load);
        else if (message.t === 'snapshot') this.listener.onSnapshot?.(w, message.id, message.state);
        else this.listener.onLoad?.(w, message.load);
      });
      const run = this.pool.run(task, { transferList: [port2] }) as Promise<WorkerResult>;
      run.catch((error: unknown) => this.fail(w, error));
      this.ports.push(port1);
      this.tasks.push(run);
    }
  }

  submit(worker: number, clock: ChunkClock, part: WorkerPart, scope: number): void {
    if (this.stopped) return;
    const message: ToWorker = {
      t: 'part',
      chunk: clock.chunk,
      firstEvent: clock.firstEvent,
      scope,
      count: part.count,
      addresses: part.addresses,
      types: part.types,
      keyGroups: part.keyGroups,
      positions: part.positions,
    };
    this.ports[worker]!.postMessage(message, [
      part.addresses.buffer as ArrayBuffer,
      part.types.buffer as ArrayBuffer,
      part.keyGroups.buffer as ArrayBuffer,
      part.positions.buffer as ArrayBuffer,
    ]);
  }

  command(worker: number, message: ScopeMessage): void {
    if (this.stopped) return;
    this.ports[worker]!.postMessage(message, message.t === 'restore' ? stateBuffers(message.state) : []);
  }

  async finish(): Promise<WorkerResult[]> {
    for (const port of this.ports) port.postMessage({ t: 'end' } satisfies ToWorker);
    try {
      return await Promise.all(
        this.tasks.map((task, worker) => task.catch((error) => this.rethrow(worker, error))),
      );
    } finally {
      await this.destroy();
    }
  }

  async destroy(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const port of this.ports) port.close();
    await this.pool.destroy().catch(() => undefined);
  }

  private fail(worker: number, error: unknown): void {
    if (this.stopped) return;
    this.listener.onFailure(WorkerFailedError.from(worker, error));
  }

  private rethrow(worker: number, error: unknown): never {
    throw WorkerFailedError.from(worker, error);
  }
}
