import type { MessagePort } from 'node:worker_threads';
import type { KeyedState, OperatorContext, OperatorSpec } from '../operator.js';
import type { ThreadLoad } from './monitor/thread-load.js';

/** The long-lived task each worker thread runs for the whole job. */
export interface WorkerTask {
  port: MessagePort;
  worker: number;
  operator: OperatorSpec;
  context: OperatorContext;
}

/** Answered once the thread runs the worker's code and has imported `modules` (see warmUpWorkers). */
export interface WarmUpTask {
  mode: 'warm-up';
  modules: string[];
}

export interface WorkerResult {
  liveKeys: number;
  events: number;
  expiredKeys: number;
  /** The worker's load over the whole run. */
  load?: ThreadLoad;
}

/** Main → worker: one part of chunk `chunk`, a state command (see StateCommand), or the end of the stream. */
export type ToWorker = PartMessage | ScopeMessage | { t: 'end' };

export interface PartMessage {
  t: 'part';
  chunk: number;
  /** Events in all chunks before this one (the operator's event clock). */
  firstEvent: number;
  /** The state scope whose operator instance applies the part. */
  scope: number;
  count: number;
  addresses: Uint32Array;
  types: Uint8Array;
  keyGroups: Uint32Array;
  positions: Uint32Array;
}

/** A state command for one worker: its share of a restore, or a snapshot to answer with `id`. */
export type ScopeMessage =
  | { t: 'restore'; scope: number; state: KeyedState }
  | { t: 'snapshot'; scope: number; id: number }
  | { t: 'drop'; scope: number };

/**
 * Worker → main: the outputs of one part, in position order; a scope's state for snapshot `id`;
 * or its load alone (idle input).
 */
export type FromWorker =
  | OutputsFromWorker
  | { t: 'snapshot'; id: number; state: KeyedState }
  | { t: 'load'; load: ThreadLoad };

export interface OutputsFromWorker {
  t: 'out';
  chunk: number;
  count: number;
  positions: Uint32Array;
  keys: Uint32Array;
  codes: Uint32Array;
  load: ThreadLoad;
}
