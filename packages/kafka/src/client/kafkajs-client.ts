import { type Admin, type Consumer, Kafka, type LogEntry, logLevel, Partitioners } from 'kafkajs';
import { KafkaError, TopicNotFoundError } from '../errors.js';
import { PartitionFetcher } from '../wire/partition-fetcher.js';
import type {
  ClusterAdmin,
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
} from './client.js';
import { isConnectionError, isStaleMembership, toKafkaError } from './kafkajs-errors.js';
import { KafkaJsTransactionalProducer } from './kafkajs-transactions.js';

/** Retries of one request before kafkajs gives up: a few seconds in all, inside the start-up bound. */
const RETRY = { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 };
const DEFAULT_RECONNECT_MS = 60_000;

/** The Kafka client on kafkajs 2 (pure JavaScript; talks to Kafka ≥ 0.10 and the dev broker). */
export function createKafkaJsClient(options: KafkaClientOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: Math.min(options.timeoutMs, 3000),
    retry: RETRY,
    logLevel: options.debug ? logLevel.INFO : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      process.stderr.write(`kafkajs ${entry.namespace}: ${JSON.stringify(entry.log)}\n`);
    },
  });
  const fail = (error: unknown, what: string, topic?: string) =>
    toKafkaError(error, what, options.brokers, topic);
  return {
    options,
    consumer: (consumerOptions) => new KafkaJsGroupConsumer(kafka, options, consumerOptions, fail),
    producer: () => new KafkaJsProducer(kafka, fail, options.reconnectMs ?? DEFAULT_RECONNECT_MS),
    transactionalProducer: (transactionalId) =>
      new KafkaJsTransactionalProducer(kafka, transactionalId, fail),
    admin: () => new KafkaJsAdmin(kafka, options.brokers, fail),
  };
}

type Fail = (error: unknown, what: string, topic?: string) => Error;

/** Thrown into a batch handler's heartbeat once a rebalance began: the batch is to be fetched again. */
class RebalanceInProgress extends KafkaError {}

/**
 * A group member whose membership (joining, heartbeats, assignment, commits) is kafkajs's, and
 * whose fetching is Statecraft's own (PartitionFetcher): kafkajs keeps the topic paused, so it
 * never fetches; the fetcher reads the assigned partitions and decodes their record batches into
 * columns, which kafkajs's one-object-per-record decoding could not do fast enough.
 */
class KafkaJsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly fetcher: PartitionFetcher;
  private readonly reconnectMs: number;
  private readonly onConnection: KafkaClientOptions['onConnection'];
  private outageSince: number | undefined;
  private generation = 0;

  constructor(
    kafka: Kafka,
    clientOptions: KafkaClientOptions,
    private readonly options: GroupConsumerOptions,
    private readonly fail: Fail,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: Math.min(options.maxWaitMs, options.heartbeatIntervalMs),
      allowAutoTopicCreation: false,
      // A lost cluster (a connection error) is ridden out: kafkajs restarts the consumer, which
      // rejoins the group, until reconnectMs has passed since the first failure; anything else
      // ends the job with its reason.
      retry: {
        ...RETRY,
        restartOnFailure: async (error: Error) => {
          if (!isConnectionError(error)) return false;
          if (this.outageSince === undefined) {
            this.outageSince = Date.now();
            this.onConnection?.({ lost: true });
          }
          return Date.now() - this.outageSince < this.reconnectMs;
        },
      },
    });
    this.reconnectMs = clientOptions.reconnectMs ?? DEFAULT_RECONNECT_MS;
    this.onConnection = clientOptions.onConnection;
    this.admin = kafka.admin({ retry: RETRY });
    this.fetcher = new PartitionFetcher({
      brokers: clientOptions.brokers,
      clientId: clientOptions.clientId,
      topic: options.topic,
      timeoutMs: clientOptions.timeoutMs,
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
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Before kafkajs's first fetch of the new generation: it never fetches anything itself.
      consumer.pause([{ topic }]);
      if (this.outageSince !== undefined) {
        this.onConnection?.({ lost: false, afterMs: Date.now() - this.outageSince });
        this.outageSince = undefined;
      }
      this.generation++;
      const partitions = event.payload.memberAssignment[topic] ?? [];
      // Every partition starts again from the group's committed offset (or a checkpoint's seek).
      this.fetcher.assign(partitions);
      listener.assigned(partitions, event.payload.memberId);
    });
    // A rebalance, or a restart after a lost connection: the member rejoins, with a new generation.
    const rejoining = () => {
      this.generation++;
      this.fetcher.revokeAll();
      listener.rebalancing();
    };
    consumer.on(consumer.events.REBALANCING, rejoining);
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) {
        rejoining();
        return;
      }
      listener.failed(this.fail(event.payload.error, `consumer of group ${groupId} failed`, topic));
    });
    try {
      await this.admin.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning });
      await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    } catch (error) {
      throw this.fail(error, `cannot join group ${groupId}`, topic);
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
      (error) => listener.failed(this.fail(error, `consumer of group ${groupId} failed`, topic)),
    );
  }

  /** Each partition's committed offset in the group, else the start or end of its log. */
  private async startPositions(partitions: readonly number[]): Promise<Map<number, number>> {
    const { groupId, topic } = this.options;
    const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const offsets = new Map(
      (committed?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]),
    );
    const positions = new Map<number, number>();
    let bounds: number[] | undefined;
    for (const partition of partitions) {
      const offset = offsets.get(partition) ?? -1;
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
    const offsets = await this.admin.fetchTopicOffsets(this.options.topic);
    const bounds: number[] = [];
    for (const { partition, low, high } of offsets)
      bounds[partition] = Number(this.options.fromBeginning ? low : high);
    return bounds;
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<boolean> {
    if (offsets.length === 0) return true;
    const { topic } = this.options;
    try {
      await this.consumer.commitOffsets(
        offsets.map(({ partition, offset }) => ({ topic, partition, offset: String(offset) })),
      );
      return true;
    } catch (error) {
      // A rebalance, or the cluster lost for now: the member rejoins, and commits again after.
      if (isStaleMembership(error) || isConnectionError(error)) return false;
      throw this.fail(error, `cannot commit offsets of group ${this.options.groupId}`, topic);
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
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }
}

class KafkaJsProducer implements RecordProducer {
  private readonly producer;

  constructor(
    kafka: Kafka,
    private readonly fail: Fail,
    /** A send rides out a lost cluster (a broker restarting) this long. */
    private readonly reconnectMs: number,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      // Java's default partitioner (murmur2 of the key): an address lands where a JVM producer puts it.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: RETRY,
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw this.fail(error, 'cannot connect the producer');
    }
  }

  /**
   * Sends with kafkajs's few quick retries, and, while the cluster cannot be reached, again after
   * a growing pause until `reconnectMs` have passed; a refusal (a missing topic) fails at once.
   */
  async send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    let outageSince: number | undefined;
    for (let pauseMs = 100; ; pauseMs = Math.min(pauseMs * 2, 2000)) {
      try {
        await this.producer.send({ topic, acks: -1, messages: records as OutgoingRecord[] });
        return;
      } catch (error) {
        outageSince ??= Date.now();
        if (!isConnectionError(error) || Date.now() - outageSince >= this.reconnectMs) {
          throw this.fail(error, `cannot send to topic ${topic}`, topic);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

class KafkaJsAdmin implements ClusterAdmin {
  private readonly admin;

  constructor(
    kafka: Kafka,
    private readonly brokers: readonly string[],
    private readonly fail: Fail,
  ) {
    this.admin = kafka.admin({ retry: RETRY });
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
    } catch (error) {
      throw this.fail(error, 'cannot connect');
    }
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    if (topics.length === 0) return;
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: topics.map(({ name, partitions, config }) => ({
          topic: name,
          numPartitions: partitions,
          configEntries: Object.entries(config ?? {}).map(([configName, value]) => ({
            name: configName,
            value,
          })),
        })),
      });
    } catch (error) {
      throw this.fail(error, `cannot create topics ${topics.map(({ name }) => name).join(', ')}`);
    }
  }

  async partitionCount(topic: string): Promise<number> {
    try {
      const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      if (partitions === 0) throw new TopicNotFoundError(topic, this.brokers);
      return partitions;
    } catch (error) {
      throw this.fail(error, `cannot read the metadata of topic ${topic}`, topic);
    }
  }

  async topicOffsets(topic: string): Promise<TopicOffsets> {
    try {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return {
        start: byPartition(offsets.map(({ partition, low }) => ({ partition, offset: low }))),
        end: byPartition(offsets.map(({ partition, high }) => ({ partition, offset: high }))),
      };
    } catch (error) {
      throw this.fail(error, `cannot read the end offsets of topic ${topic}`, topic);
    }
  }

  async committedOffsets(groupId: string, topic: string): Promise<number[]> {
    try {
      const [offsets] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      if (offsets === undefined) throw new KafkaError(`no offsets for topic ${topic} in group ${groupId}`);
      return byPartition(offsets.partitions);
    } catch (error) {
      throw this.fail(error, `cannot read the offsets of group ${groupId}`, topic);
    }
  }

  async disconnect(): Promise<void> {
    await this.admin.disconnect();
  }
}

function byPartition(entries: readonly { partition: number; offset: string }[]): number[] {
  const offsets = new Array<number>(entries.length).fill(-1);
  for (const { partition, offset } of entries) offsets[partition] = Number(offset);
  return offsets;
}
