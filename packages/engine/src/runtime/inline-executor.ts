import type { WorkerPart } from '../batch.js';
import { WorkerFailedError } from '../errors.js';
import type { ChunkClock, OperatorSpec } from '../operator.js';
import type { Executor, ExecutorListener } from './executor.js';
import { LoadReporter, loadDetailIntervalMs } from './monitor/thread-load.js';
import { OperatorHost } from './operator-host.js';
import { ScopedOperators } from './scoped-operators.js';
import type { ScopeMessage } from './worker-protocol.js';

/** `--workers 0`: the same operator and data path on the calling thread, no worker threads. */
export class InlineExecutor implements Executor {
  readonly slots = 1;
  private readonly reporter: LoadReporter;
  private readonly host: OperatorHost;
  private stopped = false;

  private constructor(
    private readonly operators: ScopedOperators,
    listener: ExecutorListener,
    partitions: number,
  ) {
    this.reporter = new LoadReporter(
      loadDetailIntervalMs(partitions),
      () => ({ liveKeys: operators.liveKeys() }),
      (load) => listener.onLoad?.(0, load),
    );
    this.host = new OperatorHost(
      operators,
      {
        output: (chunk, columns) =>
          listener.onOutput(0, chunk, columns, this.reporter.load(this.host.events)),
        snapshot: (id, state) => listener.onSnapshot?.(0, id, state),
        failed: (error) => {
          this.stopped = true;
          listener.onFailure(WorkerFailedError.from(0, error));
        },
      },
      this.reporter.clock,
    );
  }

  static async start(
    spec: OperatorSpec,
    partitions: number,
    listener: ExecutorListener,
  ): Promise<InlineExecutor> {
    try {
      const operators = await ScopedOperators.load(spec, {
        partitions,
        keyGroupStart: 0,
        keyGroupEnd: partitions - 1,
      });
      return new InlineExecutor(operators, listener, partitions);
    } catch (error) {
      throw WorkerFailedError.from(0, error);
    }
  }

  submit(_worker: number, clock: ChunkClock, part: WorkerPart, scope: number): void {
    if (this.stopped) return;
    this.host.handle({ t: 'part', chunk: clock.chunk, firstEvent: clock.firstEvent, scope, ...part });
  }

  command(_worker: number, message: ScopeMessage): void {
    if (!this.stopped) this.host.handle(message);
  }

  async finish() {
    await this.host.idle();
    this.reporter.stop();
    try {
      return [
        {
          liveKeys: this.operators.liveKeys(),
          events: this.host.events,
          expiredKeys: this.operators.expiredKeys(),
          load: this.reporter.load(this.host.events, true),
        },
      ];
    } catch (error) {
      throw WorkerFailedError.from(0, error);
    }
  }

  async destroy(): Promise<void> {
    this.reporter.stop();
    this.stopped = true;
  }
}
