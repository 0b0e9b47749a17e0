import { stateBuffers } from '../checkpoint/keyed-state.js';
import { LoadReporter, loadDetailIntervalMs } from './monitor/thread-load.js';
import { OperatorHost } from './operator-host.js';
import { ScopedOperators } from './scoped-operators.js';
import type { FromWorker, ToWorker, WorkerResult, WorkerTask } from './worker-protocol.js';

/** The end of a message channel, as much of it as a worker session uses. */
export interface SessionPort {
  on(event: 'message', listener: (message: ToWorker) => void): unknown;
  postMessage(message: FromWorker, transferList: ArrayBuffer[]): void;
  close(): void;
}

/**
 * Serves one worker's share of a job: applies each part and state command in arrival order (the
 * main thread sends a worker's parts in chunk order) and answers with its outputs and snapshots.
 * Resolves with the worker's totals at the end of the stream; rejects, closing the port, if the
 * operator throws.
 */
export async function serveWorker(task: Omit<WorkerTask, 'port'>, port: SessionPort): Promise<WorkerResult> {
  const operators = await ScopedOperators.load(task.operator, task.context);
  const reporter = new LoadReporter(
    loadDetailIntervalMs(task.context.partitions),
    () => ({ liveKeys: operators.liveKeys() }),
    (load) => port.postMessage({ t: 'load', load }, []),
  );
  return new Promise<WorkerResult>((resolve, reject) => {
    const fail = (error: unknown) => {
      reporter.stop();
      port.close();
      reject(error);
    };
    const host = new OperatorHost(
      operators,
      {
        output(chunk, columns) {
          port.postMessage({ t: 'out', chunk, ...columns, load: reporter.load(host.events) }, [
            columns.positions.buffer as ArrayBuffer,
            columns.keys.buffer as ArrayBuffer,
            columns.codes.buffer as ArrayBuffer,
          ]);
        },
        snapshot(id, state) {
          port.postMessage({ t: 'snapshot', id, state }, stateBuffers(state));
        },
        failed: fail,
      },
      reporter.clock,
    );
    port.on('message', (message) => {
      if (message.t !== 'end') {
        host.handle(message);
        return;
      }
      void host.idle().then(() => {
        reporter.stop();
        port.close();
        try {
          resolve({
            liveKeys: operators.liveKeys(),
            events: host.events,
            expiredKeys: operators.expiredKeys(),
            load: reporter.load(host.events, true),
          });
        } catch (error) {
          reject(error);
        }
      });
    });
  });
}
