// A Kafka job in one call (createKafkaJob), the producer of event streams, the alert and
// checkpoint formats a reader of the topics needs, and the errors. The pieces a job is made of
// (source, checkpointer, transactions, wire protocol) stay inside the package.
export type { PartitionCheckpoint } from './checkpoint/partition-checkpoint.js';
export { decodePartitionCheckpoint } from './checkpoint/partition-checkpoint.js';
export type { CheckpointInterval } from './checkpoint/partition-checkpointer.js';
export type { TakeoverReport } from './checkpoint/partition-takeover.js';
export type { KafkaRejectedRecord } from './codec/batch-decoder.js';
export {
  isKafkaError,
  KafkaError,
  KafkaUnreachableError,
  ProducerFencedError,
  TopicNotFoundError,
} from './errors.js';
export type { KafkaJob } from './job/kafka-job.js';
export { createKafkaJob } from './job/kafka-job.js';
export type {
  KafkaGuarantee,
  KafkaJobConfig,
  KafkaJobLog,
  KafkaJobSummary,
  KafkaStateStore,
} from './job/kafka-job-config.js';
export { Resources } from './job/resources.js';
export { KafkaStartTimeoutError, StartUp } from './job/start-up.js';
export type { ColumnSender, ProduceEventsOptions, ProduceEventsResult } from './producer/produce-events.js';
export { produceEvents } from './producer/produce-events.js';
export type { AlertTextFormat } from './sinks/alert-file-sink.js';
export { AlertFileSink } from './sinks/alert-file-sink.js';
export { SOURCE_HEADERS } from './sinks/alert-topic-sink.js';
export type { PartitionStats } from './source/partition-assignment.js';
export type { ColumnarProducerOptions } from './wire/columnar-producer.js';
export { ColumnarProducer } from './wire/columnar-producer.js';
export type { RecordColumns } from './wire/record-batch-encoder.js';
