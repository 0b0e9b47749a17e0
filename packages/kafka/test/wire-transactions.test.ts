import { beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../scripts/broker/broker.js';
import type { KafkaClientOptions, OutgoingRecord } from '../src/client/client.js';
import { WireRecordProducer } from '../src/client/wire-record-producer.js';
import { WireTransactionalProducer } from '../src/client/wire-transactional-producer.js';
import { ProducerFencedError, TopicNotFoundError } from '../src/errors.js';
import { bootstrap, committedOffsetsRaw, createTopicsRaw, readRaw, uniqueGroup } from './helpers.js';

/** Each test writes a topic of its own. */
const OUT = {
  commit: { name: `wire-txn-commit-${process.pid}`, partitions: 3 },
  abort: { name: `wire-txn-abort-${process.pid}`, partitions: 3 },
  fenced: { name: `wire-txn-fenced-${process.pid}`, partitions: 3 },
};
const EVENTS = { name: `wire-transactions-events-${process.pid}`, partitions: 4 };

let ids = 0;
function transactionalId(name: string): string {
  return `${name}-${process.pid}-${Date.now()}-${ids++}`;
}

function producer(id: string, options: Partial<KafkaClientOptions> = {}): WireTransactionalProducer {
  return new WireTransactionalProducer(
    { brokers: [bootstrap()], clientId: 'wire-transactions-test', timeoutMs: 10_000, ...options },
    id,
  );
}

/** Records named `<tag>-<i>` (values and keys), with a header naming the tag. */
function tagged(tag: string, count: number): OutgoingRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`${tag}-key-${i}`),
    value: `${tag}-${i}`,
    headers: { tag },
  }));
}

/** Values of the topic's records with the given tag header. */
function valuesTagged(records: readonly { value: Buffer; headers: Record<string, string> }[], tag: string) {
  return records
    .filter((r) => r.headers.tag === tag)
    .map((r) => r.value.toString())
    .sort();
}

beforeAll(async () => {
  await createTopicsRaw([OUT.commit, OUT.abort, OUT.fenced, EVENTS]);
});

describe('WireTransactionalProducer', () => {
  it("commits records with the group's offsets: read_committed sees the records, the group has the offsets", async () => {
    const groupId = uniqueGroup('wire-txn-commit');
    const sent = producer(transactionalId('commit'));
    await sent.connect();
    let firstOffsets: Map<number, number>;
    let secondOffsets: Map<number, number>;
    try {
      const transaction = await sent.begin();
      // Two sends at once: the producer keeps one request in flight, in call order.
      [firstOffsets, secondOffsets] = await Promise.all([
        transaction.send(OUT.commit.name, tagged('committed', 40)),
        transaction.send(OUT.commit.name, tagged('to-partition-2', 5), 2),
      ]);
      await transaction.commitWithOffsets(groupId, EVENTS.name, [
        { partition: 0, offset: 17 },
        { partition: 3, offset: 5 },
      ]);
      // A second transaction on the same partitions (sequence numbers go on from the first's).
      const next = await sent.begin();
      await next.send(OUT.commit.name, tagged('second', 10));
      await next.commitWithOffsets(groupId, EVENTS.name, [{ partition: 0, offset: 20 }]);
    } finally {
      await sent.disconnect();
    }
    const read = await readRaw(OUT.commit.name, 55);
    expect(valuesTagged(read, 'committed')).toEqual(
      tagged('committed', 40)
        .map((r) => r.value)
        .sort(),
    );
    expect(valuesTagged(read, 'to-partition-2')).toHaveLength(5);
    expect(valuesTagged(read, 'second')).toHaveLength(10);
    expect(read.filter((r) => r.headers.tag === 'to-partition-2').every((r) => r.partition === 2)).toBe(true);
    // Each partition's first record of a send is at the offset the send resolved with.
    for (const [partition, offset] of firstOffsets) {
      const first = read
        .filter((r) => r.partition === partition && r.headers.tag === 'committed')
        .sort((a, b) => a.offset - b.offset)[0];
      expect(first?.offset).toBe(offset);
    }
    expect([...secondOffsets.keys()]).toEqual([2]);
    const atSecond = read.find((r) => r.partition === 2 && r.offset === secondOffsets.get(2));
    expect(atSecond?.value.toString()).toBe('to-partition-2-0');
    const offsets = await committedOffsetsRaw(groupId, EVENTS.name);
    expect(offsets.get(0)).toBe(20);
    expect(offsets.get(3)).toBe(5);
    expect(offsets.get(1)).toBe(-1);
  });

  it('aborts: read_committed never sees the aborted records (read_uncommitted does); the next transaction commits', async () => {
    const groupId = uniqueGroup('wire-txn-abort');
    const sent = producer(transactionalId('abort'));
    await sent.connect();
    try {
      const aborted = await sent.begin();
      await aborted.send(OUT.abort.name, tagged('aborted', 30));
      await aborted.abort();
      const committed = await sent.begin();
      await committed.send(OUT.abort.name, tagged('after-abort', 30));
      await committed.commitWithOffsets(groupId, EVENTS.name, [{ partition: 1, offset: 9 }]);
      const abortedAgain = await sent.begin();
      await abortedAgain.send(OUT.abort.name, tagged('aborted-too', 3));
      await abortedAgain.abort();
    } finally {
      await sent.disconnect();
    }
    const everything = await readRaw(OUT.abort.name, 63, 30_000, bootstrap(), { readUncommitted: true });
    expect(valuesTagged(everything, 'aborted')).toHaveLength(30);
    const read = await readRaw(OUT.abort.name, 30);
    expect(valuesTagged(read, 'aborted')).toEqual([]);
    expect(valuesTagged(read, 'aborted-too')).toEqual([]);
    expect(valuesTagged(read, 'after-abort')).toHaveLength(30);
    expect((await committedOffsetsRaw(groupId, EVENTS.name)).get(1)).toBe(9);
  });

  it('is fenced by a newer producer of its id: its open transaction is aborted, its calls throw ProducerFencedError', async () => {
    const id = transactionalId('fenced');
    const groupId = uniqueGroup('wire-txn-fenced');
    const older = producer(id);
    const newer = producer(id);
    await older.connect();
    try {
      const open = await older.begin();
      await open.send(OUT.fenced.name, tagged('fenced-open', 12));
      await newer.connect();
      await expect(open.send(OUT.fenced.name, tagged('fenced-late', 2))).rejects.toBeInstanceOf(
        ProducerFencedError,
      );
      await expect(
        open.commitWithOffsets(groupId, EVENTS.name, [{ partition: 0, offset: 1 }]),
      ).rejects.toThrow(`producer ${id} was fenced by a newer one`);
      await expect(older.begin()).rejects.toBeInstanceOf(ProducerFencedError);
      const taking = await newer.begin();
      await taking.send(OUT.fenced.name, tagged('fencer', 12));
      await taking.commitWithOffsets(groupId, EVENTS.name, [{ partition: 0, offset: 2 }]);
    } finally {
      await older.disconnect();
      await newer.disconnect();
    }
    const everything = await readRaw(OUT.fenced.name, 24, 30_000, bootstrap(), { readUncommitted: true });
    expect(valuesTagged(everything, 'fenced-open')).toHaveLength(12);
    const read = await readRaw(OUT.fenced.name, 12);
    expect(valuesTagged(read, 'fenced-open')).toEqual([]);
    expect(valuesTagged(read, 'fenced-late')).toEqual([]);
    expect(valuesTagged(read, 'fencer')).toHaveLength(12);
    expect((await committedOffsetsRaw(groupId, EVENTS.name)).get(0)).toBe(2);
  });

  it('fails a send to a missing topic with TopicNotFoundError', async () => {
    const sent = producer(transactionalId('missing'));
    await sent.connect();
    try {
      const transaction = await sent.begin();
      await expect(transaction.send(`missing-${process.pid}`, tagged('missing', 1))).rejects.toBeInstanceOf(
        TopicNotFoundError,
      );
      await transaction.abort();
    } finally {
      await sent.disconnect();
    }
  });
});

describe('the wire producers and a broker restart', () => {
  it('ride out their broker killed -9 and restarted: a plain send and the next transaction go through', async () => {
    const broker = await startBroker({
      topics: ['txn-restart:3', 'txn-restart-events:2', 'plain-restart:2'],
    });
    const groupId = uniqueGroup('wire-txn-restart');
    const options = { brokers: [broker.bootstrap], clientId: 'wire-restart-test', timeoutMs: 10_000 };
    const sent = producer(transactionalId('restart'), options);
    const plain = new WireRecordProducer(options);
    try {
      await plain.connect();
      await plain.send('plain-restart', tagged('plain-before', 20));
      await sent.connect();
      const before = await sent.begin();
      await before.send('txn-restart', tagged('before', 50));
      await before.commitWithOffsets(groupId, 'txn-restart-events', [{ partition: 0, offset: 50 }]);
      await broker.kill();
      const restarted = broker.restart();
      const plainAfter = plain.send('plain-restart', tagged('plain-after', 20));
      const after = await sent.begin();
      await after.send('txn-restart', tagged('after', 50));
      await after.commitWithOffsets(groupId, 'txn-restart-events', [{ partition: 0, offset: 100 }]);
      await plainAfter;
      await restarted;
      const plainRead = await readRaw('plain-restart', 40, 30_000, broker.bootstrap);
      expect(valuesTagged(plainRead, 'plain-after')).toEqual(
        tagged('plain-after', 20)
          .map((r) => r.value)
          .sort(),
      );
      const read = await readRaw('txn-restart', 100, 30_000, broker.bootstrap);
      expect(valuesTagged(read, 'before')).toHaveLength(50);
      expect(valuesTagged(read, 'after')).toEqual(
        tagged('after', 50)
          .map((r) => r.value)
          .sort(),
      );
      expect((await committedOffsetsRaw(groupId, 'txn-restart-events', broker.bootstrap)).get(0)).toBe(100);
    } finally {
      await sent.disconnect();
      await plain.disconnect();
      await broker.stop();
    }
  });
});
