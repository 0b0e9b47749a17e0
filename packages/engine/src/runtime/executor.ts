import type { OutputColumns, WorkerPart } from '../batch.js';
import type { StatecraftError } from '../errors.js';
import type { ChunkClock, KeyedState } from '../operator.js';
import type { ThreadLoad } from './monitor/thread-load.js';
import type { ScopeMessage, WorkerResult } from './worker-protocol.js';

export interface ExecutorListener {
  /** `load`: what the worker reports about its own work, with its outputs. */
  onOutput(worker: number, chunk: number, columns: OutputColumns, load?: ThreadLoad): void;
  onFailure(error: StatecraftError): void;
  /** A worker's load reported on its own, when no output carried it (see LoadReporter). */
  onLoad?(worker: number, load: ThreadLoad): void;
  /** A worker's share of a scope's state, answering the `snapshot` command `id`. */
  onSnapshot?(worker: number, id: number, state: KeyedState): void;
}

/** Runs the operator over the parts of chunks, one operator instance per worker slot and state scope. */
export interface Executor {
  /** Worker slots the partitioner splits chunks into (1 for inline execution). */
  readonly slots: number;
  submit(worker: number, clock: ChunkClock, part: WorkerPart, scope: number): void;
  /** A state command for one worker, applied between the parts submitted before and after it. */
  command(worker: number, message: ScopeMessage): void;
  /** Ends the stream after every output has been delivered; resolves with each slot's totals. */
  finish(): Promise<WorkerResult[]>;
  /** Stops at once (failure or abort); never throws. */
  destroy(): Promise<void>;
}
