/**
 * `@statecraft/engine/operator-kit`: what an operator or a chunk producer needs inside a worker
 * thread, and nothing of the runtime. Worker threads import operator and producer modules; one
 * that imports the main entry loads the whole engine (sources, sinks, checkpoints, the pool) in
 * every thread, several times the code it runs.
 */
export type { EventBatch, OutputColumns, WorkerPart } from './batch.js';
export { createEventBatch } from './batch.js';
export type { OutputBuffer } from './collect/output-buffer.js';
export type {
  ChunkClock,
  CreateOperator,
  KeyedOperator,
  KeyedState,
  OperatorContext,
} from './operator.js';
export { fmix32 } from './partitioning/fmix32.js';
export { keyGroupOf } from './partitioning/key-groups.js';
export type { ChunkProducer, CreateChunkProducer, SplitState } from './sources/parallel-source.js';
export { AddressTable, REJECT_TRANSITION } from './state/address-table.js';
