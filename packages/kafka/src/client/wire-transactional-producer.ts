import { KafkaError, KafkaRefusedError, ProducerFencedError } from '../errors.js';
import type { BrokerConnection } from '../wire/broker-connection.js';
import { BrokerPool } from '../wire/broker-pool.js';
import {
  ErrorCode,
  errorName,
  isCoordinatorMoved,
  isFencedProducer,
  isRetriable,
} from '../wire/error-codes.js';
import { CoordinatorType } from '../wire/find-coordinator.js';
import { initProducerId } from '../wire/init-producer-id.js';
import {
  addOffsetsToTxn,
  addPartitionsToTxn,
  endTxn,
  firstPartitionError,
  type TransactionalProducerId,
  txnOffsetCommit,
} from '../wire/transaction-requests.js';
import {
  DEFAULT_RECONNECT_MS,
  type KafkaClientOptions,
  type OutgoingRecord,
  type PartitionOffset,
  type Transaction,
  type TransactionalProducer,
} from './client.js';
import { CoordinatorLink } from './wire-coordinator-link.js';
import { ProducerSequences } from './wire-producer-sequences.js';
import { WireRecordSender } from './wire-record-sender.js';
import { type RetryPolicy, retrying, TryAgain } from './wire-retry.js';

/** The coordinator aborts a transaction left open longer (kafkajs's setting, kept). */
export const TRANSACTION_TIMEOUT_MS = 60_000;

type TransactionState = 'open' | 'committed' | 'aborted' | 'failed';

/** The state of one transaction: what it added, and whether it ended. */
class TransactionRecord {
  state: TransactionState = 'open';
  /** `topic:partition` of every partition added to it. */
  readonly partitions = new Set<string>();
  /** Whether the coordinator knows of it (a partition or a group's offsets added). */
  started = false;
}

/**
 * A transactional producer on Statecraft's own requests: idempotent (per-partition sequence
 * numbers), one request in flight, acknowledged by every in-sync replica. `connect` finds the
 * transaction coordinator and initialises the producer id (InitProducerId), which fences every
 * earlier producer of the transactional id and aborts its open transaction. A transaction adds
 * each partition before its first records (AddPartitionsToTxn), and commits the group's offsets
 * with its records (AddOffsetsToTxn, TxnOffsetCommit to the group coordinator, EndTxn). Once
 * fenced (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH), every call throws ProducerFencedError.
 */
export class WireTransactionalProducer implements TransactionalProducer {
  private readonly pool: BrokerPool;
  private readonly sender: WireRecordSender;
  private readonly coordinator: CoordinatorLink;
  private readonly groupCoordinators = new Map<string, CoordinatorLink>();
  private readonly policy: RetryPolicy;
  private id: TransactionalProducerId | undefined;
  private readonly sequences = new ProducerSequences();
  private open: TransactionRecord | undefined;
  private fenced = false;
  /** A send or an end failed midway: the sequences are unsure, so the next begin starts a new epoch. */
  private unsure = false;
  private disconnected = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    options: KafkaClientOptions,
    private readonly transactionalId: string,
  ) {
    const reconnectMs = options.reconnectMs ?? DEFAULT_RECONNECT_MS;
    const stopped = () => this.disconnected;
    this.pool = new BrokerPool(options);
    this.sender = new WireRecordSender(this.pool, {
      brokers: options.brokers,
      timeoutMs: options.timeoutMs,
      reconnectMs,
      stopped,
    });
    this.coordinator = new CoordinatorLink(
      this.pool,
      transactionalId,
      CoordinatorType.TRANSACTION,
      `transactional id ${transactionalId}`,
    );
    this.policy = {
      brokers: options.brokers,
      giveUpAfterMs: reconnectMs,
      firstPauseMs: 50,
      maxPauseMs: 1000,
      stopped,
    };
  }

  connect(): Promise<void> {
    return this.serially(async () => {
      await this.pool.bootstrapConnection();
      await this.initialise();
    });
  }

  begin(): Promise<Transaction> {
    return this.serially(async () => {
      this.throwIfFenced();
      if (this.id === undefined) throw new KafkaError(`producer ${this.transactionalId} is not connected`);
      if (this.open?.state === 'open') {
        throw new KafkaError(`producer ${this.transactionalId} already has an open transaction`);
      }
      if (this.unsure) await this.initialise();
      const record = new TransactionRecord();
      this.open = record;
      return {
        send: (topic, records, partition) =>
          this.serially(() => this.send(record, topic, records, partition)),
        commitWithOffsets: (groupId, topic, offsets) =>
          this.serially(() => this.commit(record, groupId, topic, offsets)),
        abort: () => this.serially(() => this.end(record, false)),
      };
    });
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
    await this.pool.close();
  }

  /** InitProducerId: a new epoch (fencing earlier producers, aborting their open transaction). */
  private async initialise(): Promise<void> {
    const what = `cannot initialise transactional producer ${this.transactionalId}`;
    const identity = await retrying(what, this.policy, async () => {
      const answer = await this.coordinator.request((connection) =>
        initProducerId(connection, this.transactionalId, TRANSACTION_TIMEOUT_MS),
      );
      this.check(answer.errorCode, what, this.coordinator);
      return answer;
    });
    this.id = { transactionalId: this.transactionalId, ...identity };
    this.sequences.reset();
    this.unsure = false;
  }

  private async send(
    record: TransactionRecord,
    topic: string,
    records: readonly OutgoingRecord[],
    partition?: number,
  ): Promise<Map<number, number>> {
    const id = this.usable(record);
    if (records.length === 0) return new Map();
    const byPartition = await this.sender.partition(topic, records, partition);
    const fresh = [...byPartition.keys()].filter((p) => !record.partitions.has(`${topic}:${p}`));
    if (fresh.length > 0) {
      const what = `cannot add partitions ${fresh.join(', ')} of topic ${topic} to the transaction of ${this.transactionalId}`;
      await this.coordinated(what, this.coordinator, async (connection) =>
        firstPartitionError(await addPartitionsToTxn(connection, id, topic, fresh)),
      );
      record.started = true;
      for (const p of fresh) record.partitions.add(`${topic}:${p}`);
    }
    const batches = this.sequences.encode(topic, byPartition, id);
    try {
      return await this.sender.deliver(topic, batches, this.transactionalId);
    } catch (error) {
      // Whether the broker wrote the batches is unknown: the transaction may only be aborted.
      record.state = 'failed';
      this.unsure = true;
      if (
        error instanceof KafkaRefusedError &&
        error.errorCode !== undefined &&
        isFencedProducer(error.errorCode)
      ) {
        throw this.fence(error);
      }
      throw error;
    }
  }

  private async commit(
    record: TransactionRecord,
    groupId: string,
    topic: string,
    offsets: readonly PartitionOffset[],
  ): Promise<void> {
    const id = this.usable(record);
    if (offsets.length > 0) {
      const what = `cannot add offsets of group ${groupId} to the transaction of ${this.transactionalId}`;
      await this.coordinated(what, this.coordinator, (connection) =>
        addOffsetsToTxn(connection, id, groupId),
      );
      record.started = true;
      let group = this.groupCoordinators.get(groupId);
      if (group === undefined) {
        group = new CoordinatorLink(this.pool, groupId, CoordinatorType.GROUP, `group ${groupId}`);
        this.groupCoordinators.set(groupId, group);
      }
      const commitWhat = `cannot commit offsets of group ${groupId} topic ${topic} in the transaction of ${this.transactionalId}`;
      await this.coordinated(commitWhat, group, async (connection) =>
        firstPartitionError(await txnOffsetCommit(connection, id, groupId, topic, offsets)),
      );
    }
    await this.end(record, true);
  }

  /** EndTxn: commits or aborts (a transaction the coordinator never heard of just ends). */
  private async end(record: TransactionRecord, commit: boolean): Promise<void> {
    // A transaction that failed midway is aborted by the next begin's new epoch.
    if (!commit && record.state === 'failed') return;
    const id = this.usable(record);
    const what = `cannot ${commit ? 'commit' : 'abort'} the transaction of ${this.transactionalId}`;
    try {
      if (record.started) {
        await this.coordinated(what, this.coordinator, (connection) => endTxn(connection, id, commit));
      }
      record.state = commit ? 'committed' : 'aborted';
    } catch (error) {
      record.state = 'failed';
      this.unsure = true;
      throw error;
    }
  }

  /** A request to a coordinator, until it succeeds, fails for good, or the cluster stays away. */
  private coordinated(
    what: string,
    link: CoordinatorLink,
    request: (connection: BrokerConnection) => Promise<number>,
  ): Promise<void> {
    return retrying(what, this.policy, async () => {
      const errorCode = await link.request(request);
      this.check(errorCode, what, link);
    });
  }

  private check(errorCode: number, what: string, link: CoordinatorLink): void {
    if (errorCode === ErrorCode.NONE) return;
    if (isFencedProducer(errorCode)) throw this.fence();
    if (isCoordinatorMoved(errorCode)) throw link.moved(errorCode);
    if (isRetriable(errorCode)) throw new TryAgain(errorName(errorCode), false);
    throw new KafkaRefusedError(`${what}: ${errorName(errorCode)}`, errorCode);
  }

  private usable(record: TransactionRecord): TransactionalProducerId {
    this.throwIfFenced();
    if (record.state !== 'open' || this.open !== record || this.id === undefined) {
      throw new KafkaError(`the transaction of ${this.transactionalId} has ended (${record.state})`);
    }
    return this.id;
  }

  private fence(cause?: unknown): ProducerFencedError {
    this.fenced = true;
    return new ProducerFencedError(this.transactionalId, cause);
  }

  private throwIfFenced(): void {
    if (this.fenced) throw new ProducerFencedError(this.transactionalId);
  }

  /** One call at a time, in call order (one request in flight: sequence numbers stay in order). */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
