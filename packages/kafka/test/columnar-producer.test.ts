import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../scripts/broker/broker.js';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import {
  isRetriableTrouble,
  KafkaRefusedError,
  KafkaUnreachableError,
  TopicNotFoundError,
} from '../src/errors.js';
import { ColumnarProducer } from '../src/wire/columnar-producer.js';
import { crc32c } from '../src/wire/crc32c.js';
import { murmur2, partitionForKey } from '../src/wire/murmur2.js';
import type { RecordColumns } from '../src/wire/record-batch-encoder.js';
import { bootstrap, byPartition, closedPort, readRaw } from './helpers.js';

const TOPIC = TEST_TOPICS.columnarProducer;

/** `count` records: key = 4-byte big-endian i % keys, value = the text `record i` (so values differ in length). */
function records(count: number, keys: number, first = 0): RecordColumns {
  const keyBytes = 4;
  const keyBuffer = Buffer.alloc(count * keyBytes);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    keyBuffer.writeUInt32BE((((first + i) % keys) * 2654435761) >>> 0, i * keyBytes);
    texts.push(`record ${first + i}`);
  }
  const values = Buffer.from(texts.join(''));
  const valueStarts = new Int32Array(count);
  const valueEnds = new Int32Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    valueStarts[i] = at;
    at += Buffer.byteLength(texts[i]!);
    valueEnds[i] = at;
  }
  return { count, keys: keyBuffer, keyBytes, values, valueStarts, valueEnds };
}

function producer(brokers = bootstrap(), options: { maxBatchBytes?: number; timeoutMs?: number } = {}) {
  return new ColumnarProducer({
    brokers: [brokers],
    clientId: 'columnar-test',
    timeoutMs: 10_000,
    ...options,
  });
}

describe('the wire codecs', () => {
  it('CRC-32C matches the standard check value and an unaligned slice', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.from('xx123456789y'), 2, 11)).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it("murmur2 gives Kafka's own test vectors, and the partition kafkajs's Java-compatible partitioner gives", () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 7 }, (_, partitionId) => ({ partitionId, leader: 1 }));
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.alloc(4);
      key.writeUInt32BE((i * 2654435761) >>> 0);
      const expected = partitioner({
        topic: 't',
        partitionMetadata: partitionMetadata as never,
        message: { key, value: null },
      });
      expect(partitionForKey(key, 0, 4, 7)).toBe(expected);
    }
  });
});

describe('ColumnarProducer', () => {
  it("writes every record to its key's partition, in order, cutting large sends into several batches", async () => {
    const count = 20_000;
    const sent = producer(bootstrap(), { maxBatchBytes: 16_384 });
    await sent.connect();
    try {
      await sent.send(TOPIC.name, records(count / 2, 301));
      await sent.send(TOPIC.name, records(count / 2, 301, count / 2));
    } finally {
      await sent.disconnect();
    }
    const read = await readRaw(TOPIC.name, count);
    expect(read).toHaveLength(count);
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: TOPIC.partitions }, (_, partitionId) => ({
      partitionId,
      leader: 1,
    }));
    for (const [partition, inPartition] of byPartition(read)) {
      const sequence = [...inPartition]
        .sort((a, b) => a.offset - b.offset)
        .map((r) => Number(r.value.toString().slice(7)));
      expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
      for (const record of inPartition) {
        expect(
          partitioner({
            topic: TOPIC.name,
            partitionMetadata: partitionMetadata as never,
            message: { key: record.key, value: null },
          }),
        ).toBe(partition);
      }
    }
    expect(new Set(read.map((r) => Number(r.value.toString().slice(7)))).size).toBe(count);
  });

  it('names a missing topic (TopicNotFoundError) and an unreachable cluster (KafkaUnreachableError) within its timeout', async () => {
    const sent = producer();
    try {
      await expect(sent.send(`missing-${process.pid}`, records(3, 3))).rejects.toBeInstanceOf(
        TopicNotFoundError,
      );
    } finally {
      await sent.disconnect();
    }
    const nobody = producer(`127.0.0.1:${await closedPort()}`, { timeoutMs: 1500 });
    const started = Date.now();
    await expect(nobody.connect()).rejects.toBeInstanceOf(KafkaUnreachableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a partition the topic lacks at once (KafkaRefusedError), not retrying to its timeout', async () => {
    const sent = producer(bootstrap(), { timeoutMs: 20_000 });
    try {
      const started = Date.now();
      const sending = sent.send(TOPIC.name, records(3, 3), TOPIC.partitions);
      await expect(sending).rejects.toBeInstanceOf(KafkaRefusedError);
      await expect(sending).rejects.toThrow(
        `topic ${TOPIC.name} has no partition ${TOPIC.partitions} (it has ${TOPIC.partitions})`,
      );
      expect(isRetriableTrouble(await sending.catch((error: unknown) => error))).toBe(false);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await sent.disconnect();
    }
  });

  it('rides out its broker killed -9 and restarted between sends: every record arrives', async () => {
    const broker = await startBroker({ topics: ['producer-restart:3'] });
    const sent = producer(broker.bootstrap, { timeoutMs: 60_000 });
    try {
      await sent.send('producer-restart', records(1000, 50));
      await broker.kill();
      const restarted = broker.restart();
      await sent.send('producer-restart', records(1000, 50, 1000));
      await restarted;
      const raw = await readRaw('producer-restart', 2000, 30_000, broker.bootstrap);
      expect(new Set(raw.map((r) => r.value.toString())).size).toBe(2000);
    } finally {
      await sent.disconnect();
      await broker.stop();
    }
  });
});
