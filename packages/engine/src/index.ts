export type { EventRecord, FromEventsOptions } from './api/event-source.js';
export { fromEvents } from './api/event-source.js';
export type { FromFileOptions, FromStreamOptions } from './api/file-sources.js';
export { fromFile, fromStream } from './api/file-sources.js';
export type { Job, JobConfig, JobState } from './api/job.js';
export { createJob } from './api/job.js';
export type { OperatorModule } from './api/operator-module.js';
export { toOperatorSpec } from './api/operator-module.js';
export { recordsSink } from './api/records-sink.js';
export type { ChunkSource, OpenedSource, Source, SourceContext } from './api/source.js';
export { fromBatches, isSource } from './api/source.js';
export type { EventBatch, OutputColumns, WorkerPart } from './batch.js';
export { createEventBatch } from './batch.js';
export type { Checkpoint, JobStart } from './checkpoint/checkpoint.js';
export { CHECKPOINT_FORMAT_VERSION } from './checkpoint/checkpoint.js';
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint/checkpoint-codec.js';
export { checkpointIoReason, createCheckpointDirectory } from './checkpoint/checkpoint-directory.js';
export {
  CheckpointError,
  CheckpointMismatchError,
  CheckpointWriteError,
} from './checkpoint/checkpoint-errors.js';
export {
  frameCheckpoint,
  keyedStateField,
  keyedStateFromField,
  loadCheckpointCodec,
  requireIntegers,
  unframeCheckpoint,
} from './checkpoint/checkpoint-frame.js';
export type { LoadedCheckpoint, StoredCheckpoint } from './checkpoint/checkpoint-store.js';
export { CheckpointStore, DEFAULT_RETAINED_CHECKPOINTS } from './checkpoint/checkpoint-store.js';
export type { CheckpointPolicy, CheckpointStats } from './checkpoint/coordinator.js';
export type { DurableWriteOptions } from './checkpoint/durable-write.js';
export { writeFileDurably } from './checkpoint/durable-write.js';
export { concatKeyedStates } from './checkpoint/keyed-state.js';
export { mergeByPosition } from './collect/merge.js';
export { OutputBuffer } from './collect/output-buffer.js';
export type { SerializedError } from './errors.js';
export {
  BadRecordError,
  InputError,
  InvalidJobOptionsError,
  isStatecraftError,
  SinkError,
  StatecraftError,
  WorkerFailedError,
} from './errors.js';
export { CSV_EVENTS_HEADER, formatCsvEvents } from './formats/csv-events.js';
export { EventEncoder } from './formats/event-encoder.js';
export { encodeFlinkBinaryEvents } from './formats/flink-binary-events.js';
export { formatAddress, MAX_ADDRESS, parseAddress } from './formats/ipv4.js';
export { formatNdjsonEvents } from './formats/ndjson-events.js';
export { describeFsError } from './fs-errors.js';
export type {
  ChunkClock,
  CreateOperator,
  KeyedOperator,
  KeyedState,
  OperatorContext,
  OperatorSpec,
} from './operator.js';
export { fmix32 } from './partitioning/fmix32.js';
export {
  DEFAULT_PARTITIONS,
  keyGroupOf,
  keyGroupRange,
  MAX_PARTITIONS,
  workerOfKeyGroup,
} from './partitioning/key-groups.js';
export { Partitioner } from './partitioning/partitioner.js';
export { HEAD_START_MIN_CHUNKS } from './runtime/head-start.js';
export { runJob } from './runtime/job.js';
export type { JobOptions, RestartInfo } from './runtime/job-options.js';
export { moduleBeside } from './runtime/module-url.js';
export type { JobMetrics, WorkerMetrics } from './runtime/monitor/job-metrics.js';
export { DEFAULT_METRICS_INTERVAL_MS } from './runtime/monitor/job-monitor.js';
export { ProgressSignal } from './runtime/signal.js';
export type { ScopedBatch, SequentialItem, StateCommand } from './runtime/state-commands.js';
export { isStateCommand } from './runtime/state-commands.js';
export type { JobSummary } from './runtime/summary.js';
export { callbackSink } from './sinks/callback-sink.js';
export type { EventsWriterOptions } from './sinks/events-writer.js';
export { EventsWriter } from './sinks/events-writer.js';
export type { OutputSink } from './sinks/sink.js';
export { StreamWriter } from './sinks/stream-writer.js';
export type { TextFileSinkOptions } from './sinks/text-file-sink.js';
export { TextFileSink } from './sinks/text-file-sink.js';
export type { TextStreamSinkOptions } from './sinks/text-stream-sink.js';
export { TextStreamSink } from './sinks/text-stream-sink.js';
export type { CsvFileSourceConfig } from './sources/csv-file-source.js';
export { csvFileSource } from './sources/csv-file-source.js';
export { CsvParser, maxEventsIn } from './sources/csv-parser.js';
export type { CsvSourceOptions } from './sources/csv-source.js';
export { CsvSource, DEFAULT_CHUNK_BYTES } from './sources/csv-source.js';
export { EventLookup } from './sources/event-lookup.js';
export type { FileSourceConfig, FileSourceOptions } from './sources/file-source.js';
export { fileSource } from './sources/file-source.js';
export { FLINK_RECORD_BYTES, FlinkBinaryParser } from './sources/flink-binary-parser.js';
export type { GzipFileSourceConfig } from './sources/gzip-file-source.js';
export { gzipFileSource } from './sources/gzip-file-source.js';
export { INPUT_FORMATS, inputFormatOfPath, isInputFormat, recordFormat } from './sources/input-formats.js';
export { LineParser, MAX_LINE_BYTES, MAX_REJECT_BYTES } from './sources/line-parser.js';
export { NdjsonParser } from './sources/ndjson-parser.js';
export type {
  ChunkFeed,
  ChunkProducer,
  CreateChunkProducer,
  FedChunk,
  FedSource,
  IndexedSource,
  ParallelSource,
  SplitState,
} from './sources/parallel-source.js';
export {
  chunksOfProducer,
  isFedSource,
  isParallelSource,
  producerOfChunk,
  producerOfFedChunk,
} from './sources/parallel-source.js';
export type { InputFormat, RecordFormat, RecordParser } from './sources/record-format.js';
export type { RecordStreamSourceOptions } from './sources/record-stream-source.js';
export { RecordStreamSource } from './sources/record-stream-source.js';
export type { RejectedRecord, RejectReason } from './sources/reject.js';
export {
  CSV_REJECT_REASONS,
  REJECT_DESCRIPTIONS,
  REJECT_REASONS,
  RejectLedger,
} from './sources/reject.js';
export { AddressTable, REJECT_TRANSITION } from './state/address-table.js';
