import { OutputBuffer } from '../collect/output-buffer.js';
import { loadOperator } from './load-operator.js';
import { LoadReporter, loadDetailIntervalMs } from './monitor/thread-load.js';
import type { FromWorker, ToWorker, WorkerResult, WorkerTask } from './worker-protocol.js';

/** The end of a message channel, as much of it as a worker session uses. */
export interface SessionPort {
  on(event: 'message', listener: (message: ToWorker) => void): unknown;
  postMessage(message: FromWorker, transferList: ArrayBuffer[]): void;
  close(): void;
}

/**
 * Serves one worker's share of a job: applies each part to the operator in arrival order (the
 * main thread sends a worker's parts in chunk order) and answers with its outputs. Resolves with the
 * worker's totals at the end of the stream; rejects, closing the port, if the operator throws.
 */
export async function serveWorker(task: Omit<WorkerTask, 'port'>, port: SessionPort): Promise<WorkerResult> {
  const operator = await loadOperator(task.operator, task.context);
  const out = new OutputBuffer();
  let events = 0;
  const reporter = new LoadReporter(
    loadDetailIntervalMs(task.context.partitions),
    () => ({ liveKeys: operator.liveKeys() }),
    (load) => port.postMessage({ t: 'load', load }, []),
  );
  return new Promise<WorkerResult>((resolve, reject) => {
    port.on('message', (message) => {
      if (message.t === 'end') {
        reporter.stop();
        port.close();
        try {
          resolve({
            liveKeys: operator.liveKeys(),
            events,
            expiredKeys: operator.expiredKeys?.() ?? 0,
            load: reporter.load(events, true),
          });
        } catch (error) {
          reject(error);
        }
        return;
      }
      try {
        reporter.clock.begin();
        operator.process(message, out, { chunk: message.chunk, firstEvent: message.firstEvent });
        reporter.clock.end();
        events += message.count;
        const columns = out.take();
        port.postMessage({ t: 'out', chunk: message.chunk, ...columns, load: reporter.load(events) }, [
          columns.positions.buffer as ArrayBuffer,
          columns.keys.buffer as ArrayBuffer,
          columns.codes.buffer as ArrayBuffer,
        ]);
      } catch (error) {
        reporter.stop();
        port.close();
        reject(error);
      }
    });
  });
}
