import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../../errors.js';
import type { KeyedState, OperatorContext, OperatorSpec } from '../../operator.js';
import type { ChunkRejects, SplitState } from '../../sources/parallel-source.js';
import type { RejectReason } from '../../sources/reject.js';
import type { ThreadLoad } from '../monitor/thread-load.js';

/** The long-lived task of one thread in a parallel-source job: an owner plus zero or more producers. */
export interface ExchangeTask {
  mode: 'exchange';
  thread: number;
  threads: number;
  partitions: number;
  operator: OperatorSpec;
  context: OperatorContext;
  source: TaskSource;
  /** Producer ids (0..S-1) hosted on this thread. */
  producers: number[];
  sourceParallelism: number;
  /** To and from the main thread. */
  control: MessagePort;
  /** `peers[b]`: the channel to thread b (undefined for this thread itself). */
  peers: (MessagePort | undefined)[];
  /** Where this thread starts: chunk 0, or a checkpoint's position and this thread's share of it. */
  start: ThreadStart;
  /** Fault injection for tests: exit the thread once its owner has applied this many events. */
  dieAfterEvents?: number | undefined;
}

/**
 * What a thread needs of the source: its producer module, and which chunks there are (an indexed
 * source), or nothing of them (a fed source: each chunk's input arrives in a `feed` message).
 */
export interface TaskSource {
  module: string;
  config: unknown;
  keepsRejected?: boolean | undefined;
  indexed?: { chunks: number; splits: number } | undefined;
}

export interface ThreadStart {
  chunk: number;
  /** Events in all chunks before `chunk`. */
  firstEvent: number;
  /** The keys of this thread's key groups. */
  keyed?: KeyedState | undefined;
  /** The states of the splits this thread's producers make. */
  splits: SplitState[];
}

export interface ExchangeResult {
  events: number;
  liveKeys: number;
  rejects: Partial<Record<RejectReason, number>>;
  expiredKeys: number;
  /** The thread's load over the whole run, with its final key-group counts. */
  load?: ThreadLoad;
  /** Set when the thread's operator or producer failed. */
  error?: SerializedError;
}

/**
 * Main → thread. `grant`: chunks with index ≤ upTo may be produced and applied. `barrier`: report
 * the state as of the start of `chunk` (sent before any grant reaches `chunk`). `feed`: the input
 * of a fed source's chunk, to the thread hosting its producer (sent before the chunk's grant).
 */
export type ControlMessage =
  | { t: 'grant'; upTo: number }
  | { t: 'barrier'; chunk: number }
  | FeedMessage
  | { t: 'end' };

export interface FeedMessage {
  t: 'feed';
  chunk: number;
  input: unknown;
}

/** Producer → owner: the owner's part of a chunk (possibly empty). Arrays may exceed `count`. */
export interface PartMessage {
  t: 'part';
  chunk: number;
  /** The producing thread, to which the buffers go back once applied. */
  from: number;
  /** Events in the whole chunk (all owners' parts): owners add them up into the event clock. */
  chunkEvents: number;
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
  /** Set by the thread (not the owner): its load so far. */
  load?: ThreadLoad;
}

/** Owner → main, at a barrier: the keyed state of its key groups as of the start of `chunk`. */
export interface OwnerStateMessage {
  t: 'owner-state';
  chunk: number;
  keyed: KeyedState;
  expiredKeys: number;
}

/** Thread → main, at a barrier: its producers' split states and rejects as of the start of `chunk`. */
export interface ProducerStateMessage {
  t: 'producer-state';
  chunk: number;
  splits: SplitState[];
  rejects: Partial<Record<RejectReason, number>>;
}

/** Producer → main, per chunk of a source that keeps rejected records. */
export interface RejectedMessage extends ChunkRejects {
  t: 'rejected';
  chunk: number;
}

/** Thread → main: its load with the details that no output carried (the input went idle). */
export interface LoadMessage {
  t: 'load';
  load: ThreadLoad;
}

export type ThreadMessage =
  | OutMessage
  | ReadyMessage
  | OwnerStateMessage
  | ProducerStateMessage
  | RejectedMessage
  | LoadMessage;
