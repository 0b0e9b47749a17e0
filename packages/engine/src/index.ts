export type { EventBatch, OutputColumns, WorkerPart } from './batch.js';
export { createEventBatch } from './batch.js';
export { mergeByPosition } from './collect/merge.js';
export { OutputBuffer } from './collect/output-buffer.js';
export type { SerializedError } from './errors.js';
export {
  InvalidJobOptionsError,
  isStatecraftError,
  JobAbortedError,
  SinkError,
  StatecraftError,
  WorkerFailedError,
} from './errors.js';
export type { CreateOperator, KeyedOperator, OperatorContext, OperatorSpec } from './operator.js';
export { fmix32 } from './partitioning/fmix32.js';
export {
  DEFAULT_PARTITIONS,
  keyGroupOf,
  keyGroupRange,
  MAX_PARTITIONS,
  workerOfKeyGroup,
} from './partitioning/key-groups.js';
export { Partitioner } from './partitioning/partitioner.js';
export type { JobSummary } from './runtime/job.js';
export { runJob } from './runtime/job.js';
export type { JobOptions } from './runtime/job-options.js';
export { moduleBeside } from './runtime/module-url.js';
export { callbackSink } from './sinks/callback-sink.js';
export type { OutputSink } from './sinks/sink.js';
export type { TextStreamSinkOptions } from './sinks/text-stream-sink.js';
export { TextStreamSink } from './sinks/text-stream-sink.js';
export { AddressTable } from './state/address-table.js';
