export type { KafkaCheckpointStoreOptions } from './checkpoint/kafka-checkpoint-store.js';
export { KafkaCheckpointStore } from './checkpoint/kafka-checkpoint-store.js';
export type { PartitionCheckpoint } from './checkpoint/partition-checkpoint.js';
export { decodePartitionCheckpoint, encodePartitionCheckpoint } from './checkpoint/partition-checkpoint.js';
export type { CheckpointStore, Unusable } from './checkpoint/partition-checkpoint-store.js';
export { PartitionCheckpointStore } from './checkpoint/partition-checkpoint-store.js';
export type {
  CheckpointInterval,
  CommitPoints,
  PartitionCheckpointerOptions,
  Takeover,
  TakeoverReport,
} from './checkpoint/partition-checkpointer.js';
export { PartitionCheckpointer } from './checkpoint/partition-checkpointer.js';
export type {
  ClusterAdmin,
  FetchedBatch,
  GroupConsumer,
  GroupConsumerOptions,
  GroupListener,
  KafkaClient,
  KafkaClientOptions,
  NewTopic,
  OutgoingRecord,
  PartitionOffset,
  RecordProducer,
  TopicOffsets,
  Transaction,
  TransactionalProducer,
} from './client/client.js';
export { withDeadline } from './client/deadline.js';
export { createKafkaJsClient } from './client/kafkajs-client.js';
export { ADDRESS_KEY_BYTES, decodeAddressKey, encodeAddressKeys } from './codec/address-key.js';
export type { DecodedChunk, KafkaRejectedRecord } from './codec/batch-decoder.js';
export { BatchDecoder } from './codec/batch-decoder.js';
export { eventRecords } from './codec/event-records.js';
export {
  isKafkaError,
  KafkaError,
  KafkaUnreachableError,
  ProducerFencedError,
  TopicNotFoundError,
} from './errors.js';
export type { PartitionTransactionsOptions } from './exactly-once/partition-transactions.js';
export { PartitionTransactions } from './exactly-once/partition-transactions.js';
export type { ColumnSender, ProduceEventsOptions, ProduceEventsResult } from './producer/produce-events.js';
export { produceEvents } from './producer/produce-events.js';
export type { AlertTextFormat } from './sinks/alert-file-sink.js';
export { AlertFileSink } from './sinks/alert-file-sink.js';
export { AlertTopicSink, SOURCE_HEADERS } from './sinks/alert-topic-sink.js';
export { AppendFile } from './sinks/append-file.js';
export { kafkaJobSink } from './sinks/kafka-job-sink.js';
export type { PartitionOutputs } from './sinks/partition-files-sink.js';
export { PartitionFilesSink, partitionFileName } from './sinks/partition-files-sink.js';
export type { ChunkEntry } from './source/chunk-ledger.js';
export { ChunkLedger } from './source/chunk-ledger.js';
export type { GroupEndOptions } from './source/group-end.js';
export { groupReachedEnd, waitForGroupEnd } from './source/group-end.js';
export { GroupMembership } from './source/group-membership.js';
export type { KafkaSourceOptions, PartitionStats } from './source/kafka-source.js';
export { KafkaSource } from './source/kafka-source.js';
export { PartitionSplit } from './source/partition-split.js';
export type { ColumnarProducerOptions } from './wire/columnar-producer.js';
export { ColumnarProducer } from './wire/columnar-producer.js';
export type { RecordColumns } from './wire/record-batch-encoder.js';
