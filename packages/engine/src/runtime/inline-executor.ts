import { OutputBuffer } from '../collect/output-buffer.js';
import { WorkerFailedError } from '../errors.js';
import type { ChunkClock, KeyedOperator, OperatorSpec } from '../operator.js';
import type { Executor, ExecutorListener } from './executor.js';
import { loadOperator } from './load-operator.js';
import { LoadReporter, loadDetailIntervalMs } from './monitor/thread-load.js';

/** `--workers 0`: the same operator and data path on the calling thread, no worker threads. */
export class InlineExecutor implements Executor {
  readonly slots = 1;
  private readonly out = new OutputBuffer();
  private events = 0;
  private failed = false;
  private readonly reporter: LoadReporter;

  private constructor(
    private readonly operator: KeyedOperator,
    private readonly listener: ExecutorListener,
    partitions: number,
  ) {
    this.reporter = new LoadReporter(
      loadDetailIntervalMs(partitions),
      () => ({ liveKeys: operator.liveKeys() }),
      (load) => listener.onLoad?.(0, load),
    );
  }

  static async start(
    spec: OperatorSpec,
    partitions: number,
    listener: ExecutorListener,
  ): Promise<InlineExecutor> {
    try {
      const operator = await loadOperator(spec, {
        partitions,
        keyGroupStart: 0,
        keyGroupEnd: partitions - 1,
      });
      return new InlineExecutor(operator, listener, partitions);
    } catch (error) {
      throw WorkerFailedError.from(0, error);
    }
  }

  submit(_worker: number, clock: ChunkClock, part: Parameters<Executor['submit']>[2]): void {
    if (this.failed) return;
    this.reporter.clock.begin();
    try {
      this.operator.process(part, this.out, clock);
    } catch (error) {
      this.failed = true;
      this.listener.onFailure(WorkerFailedError.from(0, error));
      return;
    } finally {
      this.reporter.clock.end();
    }
    this.events += part.count;
    this.listener.onOutput(0, clock.chunk, this.out.take(), this.reporter.load(this.events));
  }

  async finish() {
    this.reporter.stop();
    try {
      return [
        {
          liveKeys: this.operator.liveKeys(),
          events: this.events,
          expiredKeys: this.operator.expiredKeys?.() ?? 0,
          load: this.reporter.load(this.events, true),
        },
      ];
    } catch (error) {
      throw WorkerFailedError.from(0, error);
    }
  }

  async destroy(): Promise<void> {
    this.reporter.stop();
    this.failed = true;
  }
}
