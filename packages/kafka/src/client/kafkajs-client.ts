import { type Consumer, Kafka, type LogEntry, logLevel, Partitioners } from 'kafkajs';
import { KafkaError, TopicNotFoundError } from '../errors.js';
import type {
  ClusterAdmin,
  GroupConsumer,
  GroupConsumerOptions,
  GroupListener,
  KafkaClient,
  KafkaClientOptions,
  OutgoingRecord,
  PartitionOffset,
  RecordProducer,
  TopicOffsets,
} from './client.js';
import { isStaleMembership, toKafkaError } from './kafkajs-errors.js';

/** Retries of one request before kafkajs gives up: a few seconds in all, inside the start-up bound. */
const RETRY = { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 };

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
    consumer: (consumerOptions) => new KafkaJsGroupConsumer(kafka, consumerOptions, fail),
    producer: () => new KafkaJsProducer(kafka, fail),
    admin: () => new KafkaJsAdmin(kafka, options.brokers, fail),
  };
}

type Fail = (error: unknown, what: string, topic?: string) => Error;

class KafkaJsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: GroupConsumerOptions,
    private readonly fail: Fail,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: options.maxWaitMs,
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
      allowAutoTopicCreation: false,
      // A crash ends the job with its reason; restarting would hide a lost broker behind retries.
      retry: { ...RETRY, restartOnFailure: async () => false },
    });
  }

  async start(listener: GroupListener): Promise<void> {
    const { topic, groupId } = this.options;
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      listener.assigned(event.payload.memberAssignment[topic] ?? [], event.payload.memberId);
    });
    consumer.on(consumer.events.REBALANCING, () => listener.rebalancing());
    // kafkajs hands no batch to eachBatch when a fetch held only control records (a transaction's
    // commit marker): report it as an empty batch, or the partition's position would stop short.
    consumer.on(consumer.events.START_BATCH_PROCESS, (event) => {
      const { payload } = event;
      if (payload.batchSize > 0 || payload.topic !== topic) return;
      const empty = { partition: payload.partition, records: [], lastOffset: payload.lastOffset };
      listener.batch(empty, async () => undefined).catch((error: unknown) => listener.failed(error as Error));
    });
    consumer.on(consumer.events.CRASH, (event) => {
      listener.failed(this.fail(event.payload.error, `consumer of group ${groupId} failed`, topic));
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          if (!isRunning() || isStale()) return;
          const fetched = {
            partition: batch.partition,
            records: batch.messages,
            lastOffset: batch.lastOffset(),
          };
          await listener.batch(fetched, heartbeat);
        },
      });
    } catch (error) {
      throw this.fail(error, `cannot join group ${groupId}`, topic);
    }
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
      if (isStaleMembership(error)) return false;
      throw this.fail(error, `cannot commit offsets of group ${this.options.groupId}`, topic);
    }
  }

  seek(partition: number, offset: number): void {
    this.whileRunning(() =>
      this.consumer.seek({ topic: this.options.topic, partition, offset: String(offset) }),
    );
  }

  pause(partitions: readonly number[]): void {
    if (partitions.length === 0) return;
    this.whileRunning(() =>
      this.consumer.pause([{ topic: this.options.topic, partitions: [...partitions] }]),
    );
  }

  resume(partitions: readonly number[]): void {
    if (partitions.length === 0) return;
    this.whileRunning(() =>
      this.consumer.resume([{ topic: this.options.topic, partitions: [...partitions] }]),
    );
  }

  /** kafkajs refuses pause and resume once the consumer has stopped (after a crash), when nothing is fetched anyway. */
  private whileRunning(change: () => void): void {
    try {
      change();
    } catch (error) {
      if ((error as { name?: string }).name !== 'KafkaJSNonRetriableError') throw error;
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

class KafkaJsProducer implements RecordProducer {
  private readonly producer;

  constructor(
    kafka: Kafka,
    private readonly fail: Fail,
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

  async send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    try {
      await this.producer.send({ topic, acks: -1, messages: records as OutgoingRecord[] });
    } catch (error) {
      throw this.fail(error, `cannot send to topic ${topic}`, topic);
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
