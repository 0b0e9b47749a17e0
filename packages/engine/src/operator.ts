import type { WorkerPart } from './batch.js';
import type { OutputBuffer } from './collect/output-buffer.js';

/** Where an operator instance runs: the contiguous key groups [keyGroupStart, keyGroupEnd] of P. */
export interface OperatorContext {
  partitions: number;
  keyGroupStart: number;
  keyGroupEnd: number;
}

/**
 * A keyed operator: owns the state of its key groups and processes parts of chunks in order.
 * `part.keyGroups[i]` is the key group of event i (always within the context's range).
 */
export interface KeyedOperator {
  process(part: WorkerPart, out: OutputBuffer): void;
  /** Keys that currently hold state. */
  liveKeys(): number;
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
