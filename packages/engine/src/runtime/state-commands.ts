import type { EventBatch } from '../batch.js';
import type { KeyedState } from '../operator.js';

/**
 * What a sequential source may put between its chunks to manage state by **scope**: a unit of a
 * source's keyed state that can move between jobs, such as a Kafka partition (whose addresses,
 * keyed by the producer, are in no other partition). A batch's `scope` (default 0) picks the
 * operator instances that process it; each scope has its own on every worker. A command applies
 * exactly between the chunks it sits between, on every worker:
 * - `restore`: the scope starts over from `state` (keys are re-hashed into this job's key groups);
 * - `snapshot`: `done` gets the scope's state after every chunk before the command;
 * - `drop`: the scope's state is discarded (its source moved elsewhere).
 */
export type StateCommand =
  | { command: 'restore'; scope: number; state: KeyedState }
  | { command: 'snapshot'; scope: number; done: (state: KeyedState) => void }
  | { command: 'drop'; scope: number };

/** A chunk of a sequential source, with the scope of its state (default 0). */
export interface ScopedBatch extends EventBatch {
  scope?: number;
}

/** What a sequential source yields: chunks, and state commands between them. */
export type SequentialItem = ScopedBatch | StateCommand;

export function isStateCommand(item: SequentialItem): item is StateCommand {
  return 'command' in item;
}
