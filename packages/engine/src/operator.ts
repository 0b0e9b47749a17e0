import type { WorkerPart } from './batch.js';
import type { OutputBuffer } from './collect/output-buffer.js';

/** Where an operator instance runs: the contiguous key groups [keyGroupStart, keyGroupEnd] of P. */
export interface OperatorContext {
  partitions: number;
  keyGroupStart: number;
  keyGroupEnd: number;
}

/**
 * Where a part sits in the source: its chunk index, and the number of events in all chunks before
 * it (so event i of the part is event `firstEvent + part.positions[i]` of the whole stream). A
 * deterministic clock: the same for every worker, partition and producer count.
 */
export interface ChunkClock {
  chunk: number;
  firstEvent: number;
}

/**
 * The state of some keys, columnar: `values[i]` (operator-defined) and, for operators that expire
 * idle keys, `stamps[i]` (when key i was last seen) belong to `keys[i]`. Snapshots carry it, and a
 * restore hands each operator instance the keys of its own key groups.
 */
export interface KeyedState {
  keys: Uint32Array;
  values: Uint32Array;
  stamps?: Float64Array | undefined;
}

/**
 * A keyed operator: owns the state of its key groups and processes parts of chunks in order.
 * `part.keyGroups[i]` is the key group of event i (always within the context's range). Every chunk
 * reaches every instance, as an empty part when none of its events are the instance's.
 */
export interface KeyedOperator {
  /**
   * Applies a part, writing its outputs to `out`. The part and its arrays are lent for the call:
   * read them, do not change or keep them (the engine reuses them for later chunks, and an inline
   * job's part holds the source's own columns).
   */
  process(part: WorkerPart, out: OutputBuffer, clock: ChunkClock): void;
  /** Keys that currently hold state. */
  liveKeys(): number;
  /** The state of every live key (for checkpoints); operators without it cannot be checkpointed. */
  snapshot?(): KeyedState;
  /** Loads keys of this instance's key groups (from a checkpoint), before the first part. */
  restore?(state: KeyedState): void;
  /** Keys dropped so far because they were idle longer than their time to live. */
  expiredKeys?(): number;
}

/**
 * How a worker finds the operator: `module` is a URL (file:) of an ES module that exports
 * `createOperator(config, context)`; `config` must survive structured cloning.
 */
export interface OperatorSpec {
  module: string;
  config: unknown;
}

export type CreateOperator = (
  config: unknown,
  context: OperatorContext,
) => KeyedOperator | Promise<KeyedOperator>;
