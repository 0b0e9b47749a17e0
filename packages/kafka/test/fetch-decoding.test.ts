import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import type { ClusterAdmin } from '../src/client/client.js';
import { waitForGroupEnd } from '../src/source/group-end.js';
import { KafkaSource } from '../src/source/kafka-source.js';
import { BrokerConnection } from '../src/wire/broker-connection.js';
import { fetchRecords } from '../src/wire/fetch.js';
import { bootstrap, drive, FAST_GROUP, flinkRecord, testClient, uniqueGroup } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const TOPIC = TEST_TOPICS.fetchDecoding.name;

const client = testClient();
let admin: ClusterAdmin;
/** Address ranges written to partition 0: what a read_committed reader must see, in order. */
const visible: number[] = [];

function kafka(): Kafka {
  return new Kafka({ brokers: [bootstrap()], clientId: 'fetch-decoding-test', logLevel: logLevel.NOTHING });
}

const messages = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ partition: 0, value: flinkRecord(first + i, i % 7) }));

beforeAll(async () => {
  admin = client.admin();
  await admin.connect();
  const producer = kafka().producer({
    transactionalId: `fetch-decoding-${process.pid}`,
    maxInFlightRequests: 1,
    idempotent: true,
  });
  await producer.connect();
  try {
    // A committed transaction, an aborted one, a plain gzip batch, an open-then-committed one
    // interleaved with plain records: offsets carry control markers between the data.
    let transaction = await producer.transaction();
    await transaction.send({ topic: TOPIC, messages: messages(1000, 20) });
    await transaction.commit();
    visible.push(...range(1000, 20));
    transaction = await producer.transaction();
    await transaction.send({ topic: TOPIC, messages: messages(2000, 15) });
    await transaction.abort();
    await producer.send({ topic: TOPIC, compression: CompressionTypes.GZIP, messages: messages(3000, 25) });
    visible.push(...range(3000, 25));
    transaction = await producer.transaction();
    await transaction.send({ topic: TOPIC, messages: messages(4000, 10) });
    await transaction.commit();
    visible.push(...range(4000, 10));
  } finally {
    await producer.disconnect();
  }
});

afterAll(async () => {
  await admin.disconnect();
});

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

describe("Statecraft's own fetch (read_committed, record batches decoded into columns)", () => {
  it('leaves out aborted transactions and control markers, reads gzip batches, and ends at the log end', async () => {
    const { end } = await admin.topicOffsets(TOPIC);
    // 20 + 15 + 25 + 10 records and three transaction markers.
    expect(end[0]).toBe(73);
    const group = uniqueGroup('fetch-decoding');
    const consumer = client.consumer({ groupId: group, topic: TOPIC, fromBeginning: true, ...FAST_GROUP });
    const source = new KafkaSource({
      consumer,
      eventNames: EVENTS,
      endOffsets: end,
      heartbeatIntervalMs: 300,
    });
    await source.start();
    const range = { start: [0, 0], end };
    const ended = waitForGroupEnd({ admin, groupId: group, topic: TOPIC, range, intervalMs: 100 }).then(() =>
      source.finish(),
    );
    try {
      const taken = await drive(source);
      await ended;
      await source.drain();
      expect(taken.map((event) => event.address)).toEqual(visible);
      expect(taken.map((event) => event.type)).toEqual(visible.map((address) => (address % 1000) % 7));
      // Offsets are the records' own: the aborted records' offsets are skipped, not renumbered.
      expect(taken[20]?.offset).toBe(37);
      expect((await admin.committedOffsets(group, TOPIC))[0]).toBe(73);
    } finally {
      await consumer.stop();
    }
  });

  it('reports the offsets and values of a partition as columns, the high watermark with them', async () => {
    const [host, port] = bootstrap().split(':');
    const connection = await BrokerConnection.open({ host: host!, port: Number(port) }, 'test', 5000);
    try {
      const [result] = await fetchRecords(connection, TOPIC, [{ partition: 0, offset: 0 }], {
        maxWaitMs: 100,
        maxBytes: 1 << 20,
        partitionMaxBytes: 1 << 20,
      });
      expect(result?.errorCode).toBe(0);
      expect(result?.highWatermark).toBe(73);
      const records = result!.records;
      expect(records.count).toBe(visible.length);
      expect(records.lastOffset).toBe(72);
      const first = Buffer.from(records.values.subarray(records.valueStarts[0], records.valueEnds[0]));
      expect(first.equals(flinkRecord(1000, 0))).toBe(true);
    } finally {
      connection.close();
    }
  });
});
