import { preloadModules } from './import-factory.js';
import { serveExchangeNode } from './parallel/exchange-node.js';
import type { ExchangeResult, ExchangeTask } from './parallel/protocol.js';
import type { WarmUpTask, WorkerResult, WorkerTask } from './worker-protocol.js';
import { serveWorker } from './worker-session.js';

/** Piscina entry: one long-lived task per thread, fed through its own MessagePort(s). */
export default function runWorkerTask(
  task: WorkerTask | ExchangeTask | WarmUpTask,
): Promise<WorkerResult | ExchangeResult | undefined> {
  if ('mode' in task && task.mode === 'warm-up') return preloadModules(task.modules);
  if ('mode' in task && task.mode === 'exchange') return serveExchangeNode(task, task.control, task.peers);
  return serveWorker(task as WorkerTask, (task as WorkerTask).port);
}
