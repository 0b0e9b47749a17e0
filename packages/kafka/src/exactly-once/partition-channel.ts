import type { CommitPoint } from '../checkpoint/commit-points.js';
import type { OutgoingRecord, Transaction, TransactionalProducer } from '../client/client.js';
import { TRANSACTION_TIMEOUT_MS } from '../client/wire-transactional-producer.js';
import { KafkaError, ProducerFencedError } from '../errors.js';

/**
 * One transactional producer of a partition, for one takeover of it: its open transaction takes
 * the partition's records until a mark; the mark's commit (or skip) closes that transaction, and
 * sends after the mark wait for it before they begin the next one. Once fenced, it drops what it
 * is given: the partition's new owner writes it again. Fenced while this process still owns the
 * partition (the broker aborted a transaction open past its timeout), it fails the run instead:
 * no one else would write what the aborted transaction held.
 */
export class PartitionChannel {
  private connected: Promise<void> | undefined;
  private open: Promise<Transaction> | undefined;
  private gate: Promise<void> = Promise.resolve();
  private fenced = false;
  private unsettled = 0;
  private settled: (() => void) | undefined;

  constructor(
    private readonly partition: number,
    private readonly producer: TransactionalProducer,
    /** Whose offsets the commits carry: the group's, of the events topic. */
    private readonly offsets: { groupId: string; topic: string },
    /** Whether this channel's split still owns the partition and is its newest. */
    private readonly stillOwner: () => boolean,
  ) {}

  /** Starts the producer: fences the partition's earlier producers and aborts their open transaction. */
  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async send(topic: string, records: readonly OutgoingRecord[], toPartition?: number): Promise<void> {
    if (records.length === 0) return;
    await this.gate;
    if (this.fenced) return;
    try {
      this.open ??= this.begin();
      const transaction = await this.open;
      await transaction.send(topic, records, toPartition);
    } catch (error) {
      this.noteFenced(error);
    }
  }

  /**
   * Closes the open transaction at this point (the job writes chunk after chunk: every send before
   * the mark has completed); sends after it wait for the point's commit or skip.
   */
  mark(): CommitPoint {
    const pending = this.open;
    this.open = undefined;
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => {
      release = () => {
        resolve();
        if (--this.unsettled === 0) this.settled?.();
      };
    });
    this.unsettled++;
    return {
      commit: async (stateTopic, records, offset) => {
        try {
          if (this.fenced) return undefined;
          const transaction = (await pending) ?? (await this.begin());
          // The state topic's partition n holds the checkpoints of the events topic's partition n.
          const sent = await transaction.send(stateTopic, records, this.partition);
          const { groupId, topic } = this.offsets;
          await transaction.commitWithOffsets(groupId, topic, [{ partition: this.partition, offset }]);
          return sent.get(this.partition);
        } catch (error) {
          this.noteFenced(error);
          return undefined;
        } finally {
          release();
        }
      },
      skip: async () => {
        try {
          await (await pending)?.abort();
        } catch (error) {
          this.noteFenced(error);
        } finally {
          release();
        }
      },
    };
  }

  /** Resolves once every mark made so far is committed or skipped. */
  idle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.settled = resolve;
    });
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

  private async begin(): Promise<Transaction> {
    await this.connect();
    return this.producer.begin();
  }

  private noteFenced(error: unknown): void {
    if (!(error instanceof ProducerFencedError)) throw error;
    this.fenced = true;
    if (this.stillOwner()) {
      throw new KafkaError(
        `partition ${this.partition}: its transaction was aborted by the broker while this process still owns the partition (open longer than the transaction timeout, ${TRANSACTION_TIMEOUT_MS / 1000} s?); run again to resume from its last committed checkpoint`,
        error,
      );
    }
  }
}
