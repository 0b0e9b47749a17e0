import type { WorkerResult, WorkerTask } from './worker-protocol.js';
import { serveWorker } from './worker-session.js';

/** Piscina entry: one long-lived task per thread, fed through its own MessagePort. */
export default function runWorkerTask(task: WorkerTask): Promise<WorkerResult> {
  return serveWorker(task, task.port);
}
