import type { InputFormat } from '@statecraft/engine';
import type { PartitionCheckpointer } from '../checkpoint/partition-checkpointer.js';
import type { GroupConsumer } from '../client/client.js';
import type { KafkaRejectedRecord } from '../codec/batch-decoder.js';
import type { ChunkLedger } from './chunk-ledger.js';
import type { GroupMembership } from './group-membership.js';

/** What a KafkaSource reads (a group consumer's partitions), how it decodes them, and what it shares with the job. */
export interface KafkaSourceOptions {
  consumer: GroupConsumer;
  /** The record value format (default flink-binary: Flink's 8-byte events). */
  format?: InputFormat;
  /** The machine's event names; a record's type must be one of them. */
  eventNames: readonly string[];
  /** A bounded run: each partition's end offset, by partition; records at or past it are left alone. */
  endOffsets?: readonly number[];
  /** Called for each record that cannot be decoded; throwing from it fails the source. */
  onReject?: (record: KafkaRejectedRecord) => void;
  /** Decoded chunks that may wait for the engine before fetching stops (backpressure). Default 4. */
  maxQueuedChunks?: number;
  /** How often a fetch held back by backpressure heartbeats the group (below the session timeout). */
  heartbeatIntervalMs: number;
  /** Least time between two offset commits. Default 100 ms. */
  commitIntervalMs?: number;
  /** Aborting ends the stream: no more chunks; what the engine holds is still written and committed. */
  signal?: AbortSignal;
  /** The chunks handed to the engine (shared with the sinks that need their partitions); its own by default. */
  ledger?: ChunkLedger;
  /** Who may write for a partition (shared with the per-partition sinks); one of its own by default. */
  membership?: GroupMembership;
  /**
   * Per-partition checkpoints: a partition's state moves with it, and offsets are committed only
   * once a checkpoint covering them is durable. Without, offsets are committed once written.
   */
  checkpoints?: PartitionCheckpointer;
}
