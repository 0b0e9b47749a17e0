import { Kafka, logLevel } from 'kafkajs';
import type {
  FetchedBatch,
  GroupConsumerOptions,
  GroupListener,
  KafkaClientOptions,
} from '../src/client/client.js';
import { WireClusterAdmin } from '../src/client/wire-cluster-admin.js';
import { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { bootstrap, FAST_GROUP, sleep } from './helpers.js';

export function wireOptions(overrides: Partial<KafkaClientOptions> = {}): KafkaClientOptions {
  return { brokers: [bootstrap()], clientId: 'statecraft-wire-test', timeoutMs: 10_000, ...overrides };
}

export function wireConsumer(
  groupId: string,
  topic: string,
  overrides: Partial<GroupConsumerOptions> = {},
  clientOverrides: Partial<KafkaClientOptions> = {},
): WireGroupConsumer {
  return new WireGroupConsumer(wireOptions(clientOverrides), {
    groupId,
    topic,
    fromBeginning: true,
    ...FAST_GROUP,
    ...overrides,
  });
}

export function wireAdmin(overrides: Partial<KafkaClientOptions> = {}): WireClusterAdmin {
  return new WireClusterAdmin(wireOptions(overrides));
}

/** kafkajs, as an independent reference client. */
export function referenceKafka(): Kafka {
  return new Kafka({
    brokers: [bootstrap()],
    clientId: 'statecraft-wire-reference',
    logLevel: logLevel.NOTHING,
  });
}

let topics = 0;
/** Creates a topic of its own for a test, through kafkajs (not the code under test). */
export async function referenceTopic(name: string, partitions: number): Promise<string> {
  const topic = `${name}-${process.pid}-${Date.now()}-${topics++}`;
  const admin = referenceKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export type MemberEvent =
  | { type: 'assigned'; partitions: number[]; memberId: string | undefined; at: number }
  | { type: 'rebalancing'; at: number }
  | { type: 'failed'; error: Error; at: number };

/** A listener that records what the consumer tells it, and the records it is handed. */
export class RecordingListener implements GroupListener {
  readonly events: MemberEvent[] = [];
  /** The offsets handed over, per partition. */
  readonly offsets = new Map<number, number[]>();

  async batch(batch: FetchedBatch, _heartbeat: () => Promise<void>): Promise<void> {
    this.record(batch);
  }

  /** Notes a batch's offsets. */
  record(batch: FetchedBatch): void {
    const list = this.offsets.get(batch.partition) ?? [];
    for (let i = 0; i < batch.count; i++) list.push(batch.offsets[i]!);
    this.offsets.set(batch.partition, list);
  }

  assigned(partitions: readonly number[], memberId?: string): void {
    this.events.push({ type: 'assigned', partitions: [...partitions], memberId, at: Date.now() });
  }

  rebalancing(): void {
    this.events.push({ type: 'rebalancing', at: Date.now() });
  }

  failed(error: Error): void {
    this.events.push({ type: 'failed', error, at: Date.now() });
  }

  /** The newest assignment. */
  get partitions(): number[] | undefined {
    const last = this.events.findLast((event) => event.type === 'assigned');
    return last?.type === 'assigned' ? last.partitions : undefined;
  }

  get memberId(): string | undefined {
    const last = this.events.findLast((event) => event.type === 'assigned');
    return last?.type === 'assigned' ? last.memberId : undefined;
  }

  /** How many records were handed over in all. */
  get records(): number {
    let count = 0;
    for (const list of this.offsets.values()) count += list.length;
    return count;
  }
}

/** Polls `condition` every 50 ms until it holds, or fails after `timeoutMs` saying `what`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}
