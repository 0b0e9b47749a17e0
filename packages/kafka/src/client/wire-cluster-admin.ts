import { KafkaError, KafkaUnreachableError, TopicNotFoundError } from '../errors.js';
import { BrokerPool } from '../wire/broker-pool.js';
import { readCommittedOffsets } from '../wire/committed-offsets.js';
import { createTopics } from '../wire/create-topics.js';
import { describeError, ErrorCode } from '../wire/error-codes.js';
import { GroupCoordinator } from '../wire/group-coordinator.js';
import { type ClusterMetadata, existingTopic } from '../wire/metadata.js';
import { readTopicBounds } from '../wire/topic-bounds.js';
import type { ClusterAdmin, KafkaClientOptions, NewTopic, TopicOffsets } from './client.js';
import { sleep } from './wire-errors.js';

/** How often metadata is read while new topics wait for their partitions' leaders. */
const LEADER_POLL_MS = 100;

/** The cluster operations Statecraft needs, on its own protocol code. */
export class WireClusterAdmin implements ClusterAdmin {
  private readonly pool: BrokerPool;

  constructor(private readonly options: KafkaClientOptions) {
    this.pool = new BrokerPool({
      brokers: options.brokers,
      clientId: options.clientId,
      timeoutMs: options.timeoutMs,
    });
  }

  /** Reaches a bootstrap broker (KafkaUnreachableError within timeoutMs when none answers). */
  async connect(): Promise<void> {
    await this.pool.bootstrapConnection();
  }

  /**
   * CreateTopics at the controller (brokers of a KRaft cluster would forward it, ZooKeeper ones
   * not); a topic that exists already is left as it is. Then waits, up to timeoutMs, until every
   * partition of each topic has a leader in the metadata.
   */
  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    if (topics.length === 0) return;
    const what = `cannot create topics ${topics.map(({ name }) => name).join(', ')}`;
    await described(what, () => this.create(topics));
  }

  private async create(topics: readonly NewTopic[]): Promise<void> {
    const names = topics.map(({ name }) => name);
    const deadline = Date.now() + this.options.timeoutMs;
    const metadata = await this.pool.metadata([]);
    const connection =
      metadata.controller >= 0
        ? await this.pool.connection(metadata.controller)
        : await this.pool.bootstrapConnection();
    const created = await createTopics(connection, topics, this.options.timeoutMs);
    for (const { name, errorCode, errorMessage } of created) {
      if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) continue;
      throw new KafkaError(`cannot create topic ${name}: ${describeError(errorCode, errorMessage)}`);
    }
    for (;;) {
      const current = await this.pool.metadata(names);
      if (names.every((name) => hasLeaders(current, name))) return;
      if (Date.now() + LEADER_POLL_MS > deadline) {
        throw new KafkaError(
          `topics ${names.join(', ')} created, but their partitions have no leaders after ${this.options.timeoutMs} ms`,
        );
      }
      await sleep(LEADER_POLL_MS);
    }
  }

  async partitionCount(topic: string): Promise<number> {
    return described(`cannot read the metadata of topic ${topic}`, () => this.countPartitions(topic));
  }

  private async countPartitions(topic: string): Promise<number> {
    const metadata = await this.pool.metadata([topic]);
    const found = existingTopic(metadata, topic, this.options.brokers);
    return found.partitions.length;
  }

  /**
   * `end` is each partition's last stable offset (ListOffsets read_committed), as kafkajs's
   * admin.fetchTopicOffsets gives it: its admin client leaves the isolation level unset, and its
   * ListOffsets request then defaults to READ_COMMITTED. Below an open transaction, the end is
   * where that transaction began.
   */
  async topicOffsets(topic: string): Promise<TopicOffsets> {
    return described(`cannot read the offsets of topic ${topic}`, () =>
      readTopicBounds(this.pool, topic, Date.now() + this.options.timeoutMs),
    );
  }

  async committedOffsets(groupId: string, topic: string): Promise<number[]> {
    return described(`cannot read the offsets of group ${groupId}, topic ${topic}`, () =>
      this.readCommitted(groupId, topic),
    );
  }

  private async readCommitted(groupId: string, topic: string): Promise<number[]> {
    const count = await this.countPartitions(topic);
    const partitions = Array.from({ length: count }, (_, partition) => partition);
    const coordinator = new GroupCoordinator(this.pool, groupId);
    const committed = await readCommittedOffsets(
      coordinator,
      topic,
      partitions,
      Date.now() + this.options.timeoutMs,
    );
    return partitions.map((partition) => committed.get(partition) ?? -1);
  }

  async disconnect(): Promise<void> {
    await this.pool.close();
  }
}

function hasLeaders(metadata: ClusterMetadata, name: string): boolean {
  const topic = metadata.topics.find((t) => t.name === name);
  return (
    topic !== undefined &&
    topic.errorCode === ErrorCode.NONE &&
    topic.partitions.length > 0 &&
    topic.partitions.every(({ leader }) => leader >= 0)
  );
}

/**
 * Runs `work`, saying what failed in the message of a plain failure (a lost connection, a refusal);
 * a missing topic or an unreachable cluster says so itself.
 */
async function described<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TopicNotFoundError || error instanceof KafkaUnreachableError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new KafkaError(message.startsWith('cannot ') ? message : `${what}: ${message}`, error);
  }
}
