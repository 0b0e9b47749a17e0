import { Partitioners } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KafkaClientOptions, OutgoingRecord } from '../src/client/client.js';
import { WireRecordProducer } from '../src/client/wire-record-producer.js';
import { KafkaUnreachableError, TopicNotFoundError } from '../src/errors.js';
import { crc32c } from '../src/wire/crc32c.js';
import { decodeRecordBatches } from '../src/wire/record-batch-decoder.js';
import { encodeRecordList, sliceRecords } from '../src/wire/record-list-encoder.js';
import { bootstrap, byPartition, closedPort, createTopicsRaw, readRaw } from './helpers.js';

const TOPIC = { name: `wire-producer-${process.pid}`, partitions: 4 };

function producer(options: Partial<KafkaClientOptions> = {}): WireRecordProducer {
  return new WireRecordProducer({
    brokers: [bootstrap()],
    clientId: 'wire-producer-test',
    timeoutMs: 10_000,
    ...options,
  });
}

/** The partition kafkajs's DefaultPartitioner (Java's murmur2 partitioner) gives a key. */
function kafkajsPartition(key: Buffer | null, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 1,
  }));
  return Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata: partitionMetadata as never,
    message: { key, value: null },
  });
}

/** Record i: key `address-<i % keys>`, a value of `size` bytes naming i (string or Buffer by turns), headers naming i. */
function outgoing(count: number, keys: number, size: number): OutgoingRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const text = `record ${i} `.padEnd(size, 'x');
    return {
      key: Buffer.from(`address-${i % keys}`),
      value: i % 2 === 0 ? text : Buffer.from(text),
      headers: { index: String(i), 'source-topic': 'événements' },
    };
  });
}

beforeAll(async () => {
  await createTopicsRaw([TOPIC]);
});

describe('the record list encoder', () => {
  it('writes a transactional batch: producer id, epoch, base sequence, the transactional bit, a valid CRC', () => {
    const records = outgoing(25, 7, 30);
    const batch = encodeRecordList(records, { first: 5, count: 20 }, 1_700_000_000_000, {
      producerId: 4242,
      producerEpoch: 7,
      baseSequence: 99,
      transactional: true,
    });
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
    expect(batch.readUInt32BE(17)).toBe(crc32c(batch, 21, batch.length));
    expect(batch.readInt16BE(21) & 0x10).toBe(0x10);
    expect(batch.readBigInt64BE(43)).toBe(4242n);
    expect(batch.readInt16BE(51)).toBe(7);
    expect(batch.readInt32BE(53)).toBe(99);
    expect(batch.readInt32BE(57)).toBe(20);
    // The fetch decoder reads the values back, and skips them once the producer's transaction is aborted.
    const run = decodeRecordBatches(batch, 0, batch.length, 0, []);
    const values = Array.from({ length: run.count }, (_, i) =>
      Buffer.from(run.values.subarray(run.valueStarts[i], run.valueEnds[i])).toString(),
    );
    expect(values).toEqual(records.slice(5).map((r) => r.value.toString()));
    expect(
      decodeRecordBatches(batch, 0, batch.length, 0, [{ producerId: 4242n, firstOffset: 0 }]).count,
    ).toBe(0);
  });

  it('cuts records into batches within the size bound, a record larger than it alone', () => {
    const records = [...outgoing(10, 10, 300), ...outgoing(1, 1, 5000), ...outgoing(10, 10, 300)];
    const slices = sliceRecords(records, 1500);
    expect(slices.reduce((n, slice) => n + slice.count, 0)).toBe(records.length);
    expect(slices.find((slice) => slice.first === 10)).toEqual({ first: 10, count: 1 });
    for (const slice of slices) {
      const bytes = encodeRecordList(records, slice, 0).length;
      if (slice.count > 1) expect(bytes).toBeLessThanOrEqual(1500);
    }
  });
});

describe('WireRecordProducer', () => {
  it("puts each record on the partition kafkajs's DefaultPartitioner picks for its key, with its headers, in order, across batches", async () => {
    // 6000 records of 900 bytes: each partition's share takes more than one 1 MB batch.
    const records = outgoing(6000, 257, 900);
    const sent = producer();
    await sent.connect();
    try {
      await sent.send(TOPIC.name, records.slice(0, 10));
      await sent.send(TOPIC.name, records.slice(10));
    } finally {
      await sent.disconnect();
    }
    const read = await readRaw(TOPIC.name, records.length);
    expect(read).toHaveLength(records.length);
    const seen = new Set<number>();
    for (const [partition, inPartition] of byPartition(read)) {
      const indexes = inPartition.sort((a, b) => a.offset - b.offset).map((r) => Number(r.headers.index));
      // A partition's records are in the order they were sent.
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
      for (const record of inPartition) {
        const index = Number(record.headers.index);
        const expected = records[index]!;
        seen.add(index);
        expect(record.key).toEqual(expected.key);
        expect(partition).toBe(kafkajsPartition(record.key, TOPIC.partitions));
        expect(record.value.toString()).toBe(expected.value.toString());
        expect(record.headers).toEqual({ index: String(index), 'source-topic': 'événements' });
      }
    }
    expect(seen.size).toBe(records.length);
    expect(byPartition(read).size).toBe(TOPIC.partitions);
  });

  it('fails at once with TopicNotFoundError for a missing topic', async () => {
    const sent = producer();
    await sent.connect();
    const started = Date.now();
    try {
      const sending = sent.send(`missing-${process.pid}`, outgoing(3, 3, 10));
      await expect(sending).rejects.toBeInstanceOf(TopicNotFoundError);
      await expect(sending).rejects.toThrow(`topic missing-${process.pid} does not exist`);
    } finally {
      await sent.disconnect();
    }
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('waits for an unreachable cluster up to reconnectMs, then fails with KafkaUnreachableError', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const nobody = producer({ brokers: [broker], timeoutMs: 300, reconnectMs: 2500 });
    await expect(nobody.connect()).rejects.toBeInstanceOf(KafkaUnreachableError);
    const started = Date.now();
    const sending = nobody.send(TOPIC.name, outgoing(3, 3, 10));
    await expect(sending).rejects.toBeInstanceOf(KafkaUnreachableError);
    await expect(sending).rejects.toThrow(`cannot reach Kafka at ${broker}`);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(2500);
    expect(waited).toBeLessThan(10_000);
    await nobody.disconnect();
  });
});
