import type { KafkaClient, OutgoingRecord, Transaction, TransactionalProducer } from '../client/client.js';
import { ProducerFencedError } from '../errors.js';

export interface PartitionTransactionsOptions {
  client: KafkaClient;
  groupId: string;
  /** The events topic: its offsets are committed in the transactions. */
  topic: string;
  /** Transactional ids are `<prefix>-<partition>`: stable per partition, so a new owner fences the old. */
  transactionalIdPrefix: string;
}

/** A partition's place between two transactions: what its checkpoint commits. */
interface CommitPoint {
  /** The transaction the records before the mark went to (none when there were none). */
  pending: Promise<Transaction> | undefined;
  release: () => void;
}

/**
 * Exactly-once output for a consumer group, as Kafka Streams' exactly-once (one producer per
 * input partition): each partition has a transactional producer of its own (transactional id
 * `<prefix>-<partition>`), whose open transaction takes the partition's alerts as they are
 * written; its checkpoint commits them together with the state snapshot and the consumed offset,
 * in one transaction. A process that takes the partition over starts a producer of the same id,
 * which fences the previous owner and aborts its open transaction: read_committed readers see each
 * alert once, whoever dies when.
 */
export class PartitionTransactions {
  private readonly partitions = new Map<number, PartitionChannel>();

  constructor(private readonly options: PartitionTransactionsOptions) {}

  channel(partition: number): PartitionChannel {
    let channel = this.partitions.get(partition);
    if (channel === undefined) {
      const { client, transactionalIdPrefix } = this.options;
      channel = new PartitionChannel(
        partition,
        client.transactionalProducer(`${transactionalIdPrefix}-${partition}`),
      );
      this.partitions.set(partition, channel);
    }
    return channel;
  }

  /** Sends a partition's records in its open transaction (one is begun if none is). */
  send(
    partition: number,
    topic: string,
    records: readonly OutgoingRecord[],
    toPartition?: number,
  ): Promise<void> {
    return this.channel(partition).send(topic, records, toPartition);
  }

  /** Marks where a partition's checkpoint falls: records sent from now on go to the next transaction. */
  mark(partition: number): void {
    this.channel(partition).mark();
  }

  /**
   * Commits the transaction closed by the partition's oldest mark, with `records` (the state
   * snapshot) and the partition's next offset; false when the partition was fenced (it moved).
   */
  commit(
    partition: number,
    stateTopic: string,
    records: readonly OutgoingRecord[],
    offset: number,
  ): Promise<boolean> {
    const { groupId, topic } = this.options;
    return this.channel(partition).commit(stateTopic, records, groupId, topic, offset);
  }

  /** The partition's oldest mark is not committed (the partition was lost): its transaction is aborted. */
  skip(partition: number): Promise<void> {
    return this.channel(partition).skip();
  }

  async close(): Promise<void> {
    await Promise.all([...this.partitions.values()].map((channel) => channel.close()));
  }
}

class PartitionChannel {
  private connected: Promise<void> | undefined;
  private open: Promise<Transaction> | undefined;
  private gate: Promise<void> = Promise.resolve();
  private readonly points: CommitPoint[] = [];
  private fenced = false;

  constructor(
    private readonly partition: number,
    private readonly producer: TransactionalProducer,
  ) {}

  async send(topic: string, records: readonly OutgoingRecord[], toPartition?: number): Promise<void> {
    if (records.length === 0) return;
    await this.gate;
    if (this.fenced) return;
    try {
      const transaction = await this.transaction();
      await transaction.send(topic, records, toPartition);
    } catch (error) {
      if (!(error instanceof ProducerFencedError)) throw error;
      // The partition moved to another process: its new owner writes these records again.
      this.fenced = true;
    }
  }

  mark(): void {
    let release!: () => void;
    const committed = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The sends before the mark have all completed (the job writes chunk after chunk): the open
    // transaction is the mark's; sends after it wait for its commit and begin the next one.
    this.points.push({ pending: this.open, release });
    this.open = undefined;
    this.gate = committed;
  }

  async commit(
    stateTopic: string,
    records: readonly OutgoingRecord[],
    groupId: string,
    topic: string,
    offset: number,
  ): Promise<boolean> {
    const point = this.points.shift();
    if (point === undefined)
      throw new Error(`partition ${this.partition}: a checkpoint commit without its mark`);
    try {
      if (this.fenced) return false;
      const transaction = (await point.pending) ?? (await this.begin());
      // The state topic's partition n holds the checkpoints of the events topic's partition n.
      await transaction.send(stateTopic, records, this.partition);
      await transaction.commitWithOffsets(groupId, topic, [{ partition: this.partition, offset }]);
      return true;
    } catch (error) {
      if (!(error instanceof ProducerFencedError)) throw error;
      this.fenced = true;
      return false;
    } finally {
      point.release();
    }
  }

  async skip(): Promise<void> {
    const point = this.points.shift();
    try {
      const transaction = await point?.pending;
      await transaction?.abort();
    } catch (error) {
      if (!(error instanceof ProducerFencedError)) throw error;
      this.fenced = true;
    } finally {
      point?.release();
    }
  }

  async close(): Promise<void> {
    if (this.connected === undefined) return;
    try {
      const open = await this.open?.catch(() => undefined);
      await open?.abort().catch(() => undefined);
    } finally {
      await this.producer.disconnect();
    }
  }

  private transaction(): Promise<Transaction> {
    this.open ??= this.begin();
    return this.open;
  }

  private async begin(): Promise<Transaction> {
    this.connected ??= this.producer.connect();
    await this.connected;
    return this.producer.begin();
  }
}
