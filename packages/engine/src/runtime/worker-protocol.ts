import type { MessagePort } from 'node:worker_threads';
import type { OperatorContext, OperatorSpec } from '../operator.js';
import type { ThreadLoad } from './monitor/thread-load.js';

/** The long-lived task each worker thread runs for the whole job. */
export interface WorkerTask {
  port: MessagePort;
  worker: number;
  operator: OperatorSpec;
  context: OperatorContext;
}

export interface WorkerResult {
  liveKeys: number;
  events: number;
  expiredKeys: number;
  /** The worker's load over the whole run. */
  load?: ThreadLoad;
}

/** Main → worker: one part of chunk `chunk`, or the end of the stream. */
export type ToWorker =
  | {
      t: 'part';
      chunk: number;
      /** Events in all chunks before this one (the operator's event clock). */
      firstEvent: number;
      count: number;
      addresses: Uint32Array;
      types: Uint8Array;
      keyGroups: Uint32Array;
      positions: Uint32Array;
    }
  | { t: 'end' };

/** Worker → main: the outputs of one part, in position order; or its load alone (idle input). */
export type FromWorker = OutputsFromWorker | { t: 'load'; load: ThreadLoad };

export interface OutputsFromWorker {
  t: 'out';
  chunk: number;
  count: number;
  positions: Uint32Array;
  keys: Uint32Array;
  codes: Uint32Array;
  load: ThreadLoad;
}
