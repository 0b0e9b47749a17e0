import { createServer } from 'node:net';
import { isStateCommand } from '@statecraft/engine';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { inject } from 'vitest';
import type { KafkaClient } from '../src/client/client.js';
import { createKafkaClient } from '../src/client/wire-client.js';
import type { KafkaSource } from '../src/source/kafka-source.js';
import type { RecordRun } from '../src/wire/record-batch-decoder.js';

/** The test broker started by the global setup. */
export function bootstrap(): string {
  return inject('kafkaBootstrap');
}

/** The client under test, on the test broker (or another one). */
export function testClient(broker = bootstrap()): KafkaClient {
  return createKafkaClient({ brokers: [broker], clientId: 'statecraft-test', timeoutMs: 10_000 });
}

let groups = 0;
/** A consumer group no other test (or earlier run) has used. */
export function uniqueGroup(name: string): string {
  return `${name}-${process.pid}-${Date.now()}-${groups++}`;
}

/** Group settings that make rebalances quick on the test broker (kafka.md). */
export const FAST_GROUP = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 300, maxWaitMs: 250 } as const;

/** kafkajs used directly, to write and read test data without the code under test. */
function rawKafka(broker = bootstrap()): Kafka {
  return new Kafka({ brokers: [broker], clientId: 'statecraft-test-raw', logLevel: logLevel.NOTHING });
}

/** A local port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RawMessage {
  partition?: number;
  key?: Buffer | null;
  value: Buffer | string | null;
}

/** Writes messages as given (a message with a partition goes there; else by key). */
export async function produceRaw(
  topic: string,
  messages: readonly RawMessage[],
  perSend = 1000,
): Promise<void> {
  const producer = rawKafka().producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let start = 0; start < messages.length; start += perSend) {
      await producer.send({ topic, acks: -1, messages: messages.slice(start, start + perSend) as never });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface RawRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning until `count` records came (or fails after `timeoutMs`);
 * read_committed (kafkajs's default: open and aborted transactions are skipped) unless
 * `readUncommitted`.
 */
export async function readRaw(
  topic: string,
  count: number,
  timeoutMs = 30_000,
  broker = bootstrap(),
  { readUncommitted = false }: { readUncommitted?: boolean } = {},
): Promise<RawRecord[]> {
  const consumer = rawKafka(broker).consumer({
    groupId: uniqueGroup(`raw-${topic}`),
    ...kafkajsFastGroup,
    readUncommitted,
  });
  const records: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${count} records of ${topic}`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            records.push({
              partition,
              offset: Number(message.offset),
              key: message.key,
              value: message.value ?? Buffer.alloc(0),
              headers,
            });
            if (records.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

const kafkajsFastGroup = { sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 250 };

/** An event read through a KafkaSource, with where it came from. */
export interface TakenEvent {
  partition: number;
  offset: number;
  address: number;
  type: number;
}

/**
 * Drives a source as the engine does: takes its chunks in order and reports each one written
 * (after `work`, a stand-in for the job's processing), until the source ends.
 */
export async function drive(
  source: KafkaSource,
  work: (events: TakenEvent[]) => Promise<void> | void = () => undefined,
): Promise<TakenEvent[]> {
  const taken: TakenEvent[] = [];
  let chunk = 0;
  for await (const batch of source) {
    // Stands in for the engine's state: snapshots are empty, restores and drops change nothing.
    if (isStateCommand(batch)) {
      if (batch.command === 'snapshot') batch.done({ keys: new Uint32Array(0), values: new Uint32Array(0) });
      continue;
    }
    const entry = source.ledger.get(chunk);
    const events: TakenEvent[] = [];
    for (let i = 0; i < batch.count; i++) {
      events.push({
        partition: entry.split.partition,
        offset: entry.offsets[i]!,
        address: batch.addresses[i]!,
        type: batch.types[i]!,
      });
    }
    await work(events);
    taken.push(...events);
    source.chunkWritten(chunk++);
  }
  return taken;
}

/**
 * Records with consecutive offsets from `firstOffset` as a fetch returns them (RecordRun), their
 * values one byte apart in one buffer as in a record batch; `lastOffset` may be past the last
 * record (control records ending the fetch).
 */
export function recordRun(
  values: readonly (Uint8Array | string | null)[],
  firstOffset: number,
  lastOffset = firstOffset + values.length - 1,
): RecordRun {
  const count = values.length;
  const bytes = values.map((value) => (typeof value === 'string' ? Buffer.from(value) : value));
  const buffer = Buffer.alloc(
    bytes.reduce((n, value) => n + (value?.length ?? 0) + 1, 1),
    0xee,
  );
  const offsets = new Float64Array(count);
  const valueStarts = new Int32Array(count);
  const valueEnds = new Int32Array(count);
  let at = 1;
  for (const [i, value] of bytes.entries()) {
    offsets[i] = firstOffset + i;
    if (value === null) {
      valueStarts[i] = -1;
      valueEnds[i] = -1;
      continue;
    }
    buffer.set(value, at);
    valueStarts[i] = at;
    valueEnds[i] = at + value.length;
    at += value.length + 1;
  }
  return { count, offsets, values: buffer, valueStarts, valueEnds, lastOffset };
}

/** One event as Flink's EventDeSerializer writes it: little-endian int32 address, int32 type ordinal. */
export function flinkRecord(address: number, type: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeInt32LE(address | 0, 0);
  value.writeInt32LE(type, 4);
  return value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The events of each partition, in the order they were taken. */
export function byPartition<T extends { partition: number }>(items: readonly T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    const list = map.get(item.partition) ?? [];
    list.push(item);
    map.set(item.partition, list);
  }
  return map;
}

/** Creates topics with kafkajs (the reference client), waiting for their leaders. */
export async function createTopicsRaw(
  topics: readonly { name: string; partitions: number }[],
  broker = bootstrap(),
): Promise<void> {
  const admin = rawKafka(broker).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map(({ name, partitions }) => ({ topic: name, numPartitions: partitions })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** A group's committed offsets of a topic, read with kafkajs's admin: partition → offset (-1: none). */
export async function committedOffsetsRaw(
  groupId: string,
  topic: string,
  broker = bootstrap(),
): Promise<Map<number, number>> {
  const admin = rawKafka(broker).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  } finally {
    await admin.disconnect();
  }
}
