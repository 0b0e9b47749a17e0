import { KafkaError, KafkaUnreachableError, TopicNotFoundError } from '../errors.js';
import { BrokerPool } from '../wire/broker-pool.js';
import { readCommittedOffsets } from '../wire/committed-offsets.js';
import { ErrorCode, errorName, isCoordinatorMoved, isStaleMembership } from '../wire/error-codes.js';
import { GroupCoordinator } from '../wire/group-coordinator.js';
import { commitOffsets } from '../wire/offset-commit.js';
import { PartitionFetcher } from '../wire/partition-fetcher.js';
import { readTopicBounds } from '../wire/topic-bounds.js';
import {
  DEFAULT_RECONNECT_MS,
  type GroupConsumer,
  type GroupConsumerOptions,
  type GroupListener,
  type KafkaClientOptions,
  type PartitionOffset,
} from './client.js';
import { withDeadline } from './deadline.js';
import { GroupMember } from './group-member.js';
import { sleep } from './wire-errors.js';

/** How often the group's leader looks for new partitions of the topic: Java's metadata.max.age.ms default. */
export const DEFAULT_METADATA_MAX_AGE_MS = 300_000;
/** The rebalance timeout kafkajs joins with (and the least this consumer uses). */
const MIN_REBALANCE_TIMEOUT_MS = 60_000;
/** Longest pause between tries of a commit whose coordinator moved or could not be reached. */
const MAX_COMMIT_PAUSE_MS = 2000;

/** Thrown into a batch handler's heartbeat once a rebalance began: the batch is to be fetched again. */
class RebalanceInProgress extends KafkaError {}

/**
 * A consumer group member on Statecraft's own protocol code: GroupMember keeps the membership
 * (join, sync, heartbeats, rejoins), PartitionFetcher reads the assigned partitions into columns,
 * commits go to the coordinator with the member's generation.
 */
export class WireGroupConsumer implements GroupConsumer {
  private readonly pool: BrokerPool;
  private readonly coordinator: GroupCoordinator;
  private readonly member: GroupMember;
  private readonly fetcher: PartitionFetcher;
  private readonly reconnectMs: number;
  /** Bumped whenever the assignment changes: a batch fetched in an older one is refused by its heartbeat. */
  private generation = 0;
  private listener: GroupListener | undefined;

  constructor(
    private readonly clientOptions: KafkaClientOptions,
    private readonly options: GroupConsumerOptions,
  ) {
    const { brokers, clientId, timeoutMs } = clientOptions;
    this.reconnectMs = clientOptions.reconnectMs ?? DEFAULT_RECONNECT_MS;
    this.pool = new BrokerPool({ brokers, clientId, timeoutMs });
    this.coordinator = new GroupCoordinator(this.pool, options.groupId);
    // The membership's story on stderr (kafkajs wrote its own log there with `debug`).
    const debug = clientOptions.debug
      ? (line: string) => process.stderr.write(`statecraft group ${options.groupId}: ${line}\n`)
      : () => undefined;
    this.member = new GroupMember(
      {
        pool: this.pool,
        coordinator: this.coordinator,
        groupId: options.groupId,
        topic: options.topic,
        sessionTimeoutMs: options.sessionTimeoutMs,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        rebalanceTimeoutMs: Math.max(options.sessionTimeoutMs, MIN_REBALANCE_TIMEOUT_MS),
        reconnectMs: this.reconnectMs,
        metadataMaxAgeMs: options.metadataMaxAgeMs ?? DEFAULT_METADATA_MAX_AGE_MS,
      },
      {
        assigned: (partitions, memberId) => {
          debug(
            `member ${memberId} of generation ${this.member.current?.generationId} has partitions [${partitions.join(',')}]`,
          );
          this.generation++;
          // Every partition starts again from the group's committed offset (or a checkpoint's seek).
          this.fetcher.assign(partitions);
          this.listener?.assigned(partitions, memberId);
        },
        rejoining: () => {
          debug('rejoining: partitions revoked');
          this.generation++;
          this.fetcher.revokeAll();
          this.listener?.rebalancing();
        },
        lost: () => {
          debug('lost the cluster');
          clientOptions.onConnection?.({ lost: true });
        },
        back: (afterMs) => {
          debug(`back after ${afterMs} ms`);
          clientOptions.onConnection?.({ lost: false, afterMs });
        },
        failed: (error) => {
          debug(`failed: ${error.message}`);
          this.listener?.failed(error);
        },
      },
    );
    this.fetcher = new PartitionFetcher({
      brokers,
      clientId,
      topic: options.topic,
      timeoutMs,
      troubleMs: this.reconnectMs,
      maxWaitMs: options.maxWaitMs,
      maxBytes: 64 * 1024 * 1024,
      partitionMaxBytes: options.maxBytesPerPartition ?? 1024 * 1024,
      startPositions: (partitions) => this.startPositions(partitions),
      resetPosition: async (partition) => (await this.logBounds())[partition] ?? 0,
    });
  }

  async start(listener: GroupListener): Promise<void> {
    const { topic, groupId } = this.options;
    const { timeoutMs } = this.clientOptions;
    const { brokers } = this.clientOptions;
    const deadline = Date.now() + timeoutMs;
    this.listener = listener;
    // The topic must exist before the member joins: a group never creates it.
    const metadata = await withDeadline(this.pool.metadata([topic]), timeoutMs, () => {
      void this.pool.close();
      return new KafkaUnreachableError(brokers, `no answer to a metadata request within ${timeoutMs} ms`);
    });
    const found = metadata.topics.find((t) => t.name === topic);
    if (found === undefined || found.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      await this.pool.close();
      throw new TopicNotFoundError(topic, brokers);
    }
    try {
      await this.member.start(Math.max(0, deadline - Date.now()));
    } catch (error) {
      await this.pool.close();
      throw error instanceof KafkaError ? error : this.fail(`cannot join group ${groupId}`, error);
    }
    this.fetcher.start(
      async (batch) => {
        const generation = this.generation;
        const heartbeat = async () => {
          if (this.generation !== generation) throw new RebalanceInProgress('the group is rebalancing');
        };
        try {
          await listener.batch(batch, heartbeat);
        } catch (error) {
          // A rebalance while the batch waited: the partition's next owner (perhaps this member) reads it again.
          if (!(error instanceof RebalanceInProgress)) throw error;
        }
      },
      (error) =>
        listener.failed(
          error instanceof KafkaError
            ? error
            : this.fail(`consumer of group ${groupId} failed: ${error.message}`, error),
        ),
    );
  }

  /** Each partition's committed offset in the group, else the start or end of its log. */
  private async startPositions(partitions: readonly number[]): Promise<Map<number, number>> {
    const deadline = Date.now() + this.options.sessionTimeoutMs;
    const committed = await readCommittedOffsets(this.coordinator, this.options.topic, partitions, deadline);
    const positions = new Map<number, number>();
    let bounds: number[] | undefined;
    for (const partition of partitions) {
      const offset = committed.get(partition) ?? -1;
      if (offset >= 0) {
        positions.set(partition, offset);
        continue;
      }
      bounds ??= await this.logBounds();
      positions.set(partition, bounds[partition] ?? 0);
    }
    return positions;
  }

  /** Where a partition without a committed offset starts: its first offset, or its end. */
  private async logBounds(): Promise<number[]> {
    const bounds = await readTopicBounds(
      this.pool,
      this.options.topic,
      Date.now() + this.options.sessionTimeoutMs,
    );
    return this.options.fromBeginning ? bounds.start : bounds.end;
  }

  /**
   * False only when the group moved on (a rebalance, an expelled member): the committer then waits
   * for the next assignment. While the member still holds its generation, a lost connection or a
   * coordinator that moved is retried, however long it takes: no new assignment would come to
   * end the wait (the member fails on its own once the cluster is lost past reconnectMs).
   */
  async commit(offsets: readonly PartitionOffset[]): Promise<boolean> {
    if (offsets.length === 0) return true;
    const { groupId, topic } = this.options;
    const generation = this.member.current;
    for (let attempt = 1; ; attempt++) {
      if (generation === undefined || this.member.current !== generation) return false;
      let errorCode: number;
      try {
        const connection = await this.coordinator.connection(Date.now() + this.options.sessionTimeoutMs);
        errorCode = await commitOffsets(connection, generation, topic, offsets);
      } catch {
        this.coordinator.broken();
        await sleep(Math.min(100 * 2 ** attempt, MAX_COMMIT_PAUSE_MS));
        continue;
      }
      if (errorCode === ErrorCode.NONE) return true;
      if (isStaleMembership(errorCode)) return false;
      if (!isCoordinatorMoved(errorCode)) {
        throw this.fail(`cannot commit offsets of group ${groupId}, topic ${topic}: ${errorName(errorCode)}`);
      }
      this.coordinator.moved();
      await sleep(Math.min(100 * 2 ** attempt, MAX_COMMIT_PAUSE_MS));
    }
  }

  seek(partition: number, offset: number): void {
    this.fetcher.seek(partition, offset);
  }

  pause(partitions: readonly number[]): void {
    this.fetcher.pause(partitions);
  }

  resume(partitions: readonly number[]): void {
    this.fetcher.resume(partitions);
  }

  async stop(): Promise<void> {
    await this.fetcher.stop();
    await this.member.leave(Math.min(this.clientOptions.timeoutMs, 5000));
    await this.pool.close();
    await this.member.stopped();
  }

  private fail(message: string, cause?: unknown): KafkaError {
    return new KafkaError(message, cause);
  }
}
