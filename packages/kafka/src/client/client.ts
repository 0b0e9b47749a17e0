/**
 * The few Kafka operations Statecraft needs, implemented on its own protocol code (wire-client.ts),
 * so that the source, the sinks and the CLI never see the wire. Offsets are numbers (safe
 * integers), partitions are indexes of one topic's partitions.
 */
import type { RecordRun } from '../wire/record-batch-decoder.js';

/** How long a running job rides out a lost cluster unless `reconnectMs` says otherwise, in ms. */
export const DEFAULT_RECONNECT_MS = 60_000;

export interface KafkaClientOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  /** Bound on reaching the cluster at start-up (connecting, metadata, offsets), in ms. */
  timeoutMs: number;
  /**
   * How long a running job rides out a cluster it lost (a broker restarting): it reconnects,
   * rejoins its group and goes on from its last commit or checkpoint; past it, it fails. In ms;
   * default 60000.
   */
  reconnectMs?: number;
  /** Writes the group membership's story (joins, assignments, rejoins, outages) to stderr. */
  debug?: boolean;
  /** Told when a running consumer loses the cluster, and when it is back in its group. */
  onConnection?: (event: { lost: true } | { lost: false; afterMs: number }) => void;
}

/**
 * One fetch's records of one partition, in offset order, as columns (no object per record):
 * record i is at `offsets[i]` with value bytes [valueStarts[i], valueEnds[i]) of `values`
 * (valueStarts[i] = -1: a null value). A transaction's control records and aborted records are
 * left out; `lastOffset` is the fetch's last offset, control records included: where the
 * partition is once this batch is done. A fetch of control records only has no records.
 */
export interface FetchedBatch extends RecordRun {
  readonly partition: number;
}

export interface OutgoingRecord {
  key: Buffer;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface TopicOffsets {
  start: number[];
  end: number[];
}

export interface PartitionOffset {
  partition: number;
  /** The next offset to read (Kafka's committed-offset convention). */
  offset: number;
}

/** What a group consumer reports while it runs. */
export interface GroupListener {
  /**
   * A fetched batch of an assigned partition. The consumer fetches on only once the promise
   * settles (backpressure); a listener that waits long should call `heartbeat` meanwhile, and let
   * what it throws propagate (a rebalance: the consumer rejoins and fetches the batch again).
   */
  batch(batch: FetchedBatch, heartbeat: () => Promise<void>): Promise<void>;
  /**
   * The member's partitions of the topic after each (re)join of the group, and the member id the
   * group gave it. A new id means the member was expelled and joined again: whatever it held may
   * have been read by others meanwhile, even a partition it is given back.
   */
  assigned(partitions: readonly number[], memberId?: string): void;
  /** A rebalance began: the assignment may change; commits should wait for `assigned`. */
  rebalancing(): void;
  /** The consumer stopped for good (the job cannot go on). */
  failed(error: Error): void;
}

export interface GroupConsumerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Longest a fetch waits for records. */
  maxWaitMs: number;
  /** Most bytes one fetch returns per partition (default 1 MiB): bounds a chunk's size. */
  maxBytesPerPartition?: number;
  /** Where a partition without a committed offset starts: its first record, else its end. */
  fromBeginning: boolean;
  /**
   * How often the group's leader reads the topic's partition count, to have partitions added to
   * the topic assigned (default 300,000 ms, as Java's metadata.max.age.ms).
   */
  metadataMaxAgeMs?: number;
}

export interface GroupConsumer {
  /** Connects, joins the group and starts fetching; resolves once the first join is done. */
  start(listener: GroupListener): Promise<void>;
  /**
   * Commits offsets for the current generation of the group. Resolves false, committing nothing,
   * when the group has moved on (a rebalance): the partitions' next owners read from the last
   * commit that did succeed.
   */
  commit(offsets: readonly PartitionOffset[]): Promise<boolean>;
  /** Reads an assigned partition on from `offset` (its next fetch starts there). */
  seek(partition: number, offset: number): void;
  /** Stops fetching these partitions, whatever the assignment, until they are resumed. */
  pause(partitions: readonly number[]): void;
  resume(partitions: readonly number[]): void;
  /** Leaves the group and disconnects. */
  stop(): Promise<void>;
}

export interface RecordProducer {
  connect(): Promise<void>;
  /** Sends records (each to the partition of its key) and waits for every in-sync replica. */
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** One Kafka transaction of a transactional producer. */
export interface Transaction {
  /**
   * Sends records in the transaction (to `partition`, else each to its key's partition); resolves
   * with the offset each partition gave the first of its records.
   */
  send(topic: string, records: readonly OutgoingRecord[], partition?: number): Promise<Map<number, number>>;
  /** Adds the group's offsets to the transaction and commits it: records and offsets together. */
  commitWithOffsets(groupId: string, topic: string, offsets: readonly PartitionOffset[]): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A transactional producer (one transactional id): connecting fences every earlier producer of
 * the same id and aborts its open transaction. A fenced producer's calls throw ProducerFencedError.
 */
export interface TransactionalProducer {
  connect(): Promise<void>;
  begin(): Promise<Transaction>;
  disconnect(): Promise<void>;
}

/** A topic to create: its partitions and configuration (replication factor: the broker's default). */
export interface NewTopic {
  name: string;
  partitions: number;
  config?: Readonly<Record<string, string>>;
}

export interface ClusterAdmin {
  connect(): Promise<void>;
  /** Creates the topics that do not exist yet (an existing one is left as it is); waits for their leaders. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** The number of partitions of an existing topic; TopicNotFoundError when there is none. */
  partitionCount(topic: string): Promise<number>;
  /**
   * Each partition's first offset still kept (`start`) and end offset (`end`, the next offset to
   * be written), indexed by partition.
   */
  topicOffsets(topic: string): Promise<TopicOffsets>;
  /** The group's committed offset of each partition, indexed by partition; -1 where none. */
  committedOffsets(groupId: string, topic: string): Promise<number[]>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  readonly options: KafkaClientOptions;
  consumer(options: GroupConsumerOptions): GroupConsumer;
  producer(): RecordProducer;
  transactionalProducer(transactionalId: string): TransactionalProducer;
  admin(): ClusterAdmin;
}
