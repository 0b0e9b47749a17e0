import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../../errors.js';
import type { OperatorContext, OperatorSpec } from '../../operator.js';
import type { ParallelSource } from '../../sources/parallel-source.js';
import type { RejectReason } from '../../sources/reject.js';

/** The long-lived task of one thread in a parallel-source job: an owner plus zero or more producers. */
export interface ExchangeTask {
  mode: 'exchange';
  thread: number;
  threads: number;
  partitions: number;
  operator: OperatorSpec;
  context: OperatorContext;
  source: ParallelSource;
  /** Producer ids (0..S-1) hosted on this thread. */
  producers: number[];
  sourceParallelism: number;
  /** To and from the main thread. */
  control: MessagePort;
  /** `peers[b]`: the channel to thread b (undefined for this thread itself). */
  peers: (MessagePort | undefined)[];
}

export interface ExchangeResult {
  events: number;
  liveKeys: number;
  rejects: Partial<Record<RejectReason, number>>;
  /** Set when the thread's operator or producer failed. */
  error?: SerializedError;
}

/** Main → thread. `grant`: chunks with index ≤ upTo may be produced. */
export type ControlMessage = { t: 'grant'; upTo: number } | { t: 'end' };

/** Producer → owner: the owner's part of a chunk (possibly empty). Arrays may exceed `count`. */
export interface PartMessage {
  t: 'part';
  chunk: number;
  /** The producing thread, to which the buffers go back once applied. */
  from: number;
  count: number;
  addresses: Uint32Array;
  types: Uint8Array;
  keyGroups: Uint32Array;
  positions: Uint32Array;
}

/** Owner → producer: an applied part's buffers, for reuse. */
export interface RecycleMessage {
  t: 'recycle';
  addresses: Uint32Array;
  types: Uint8Array;
  keyGroups: Uint32Array;
  positions: Uint32Array;
}

/** Thread → main, once its operator and producer are loaded. */
export interface ReadyMessage {
  t: 'ready';
}

/** Owner → main: outputs of one applied part; `events` is the part's event count. */
export interface OutMessage {
  t: 'out';
  chunk: number;
  events: number;
  count: number;
  positions: Uint32Array;
  keys: Uint32Array;
  codes: Uint32Array;
}
