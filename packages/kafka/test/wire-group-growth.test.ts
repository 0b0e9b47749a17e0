import { afterEach, describe, expect, it } from 'vitest';
import type { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { produceRaw, uniqueGroup } from './helpers.js';
import {
  RecordingListener,
  referenceKafka,
  referenceTopic,
  until,
  wireConsumer,
} from './wire-group-helpers.js';

const running: WireGroupConsumer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

async function member(groupId: string, topic: string, metadataMaxAgeMs: number) {
  const consumer = wireConsumer(groupId, topic, { metadataMaxAgeMs });
  const listener = new RecordingListener();
  running.push(consumer);
  await consumer.start(listener);
  return { consumer, listener };
}

/** Adds partitions to a topic with kafkajs's admin (the reference client): CreatePartitions. */
async function growTopic(topic: string, count: number): Promise<void> {
  const admin = referenceKafka().admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count }] });
    // Produce only once every new partition has a leader: a producer with older metadata would
    // not know them.
    await untilAsync(`topic ${topic} shows ${count} partitions with leaders`, async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      return partitions.length === count && partitions.every((p) => p.leader >= 0);
    });
  } finally {
    await admin.disconnect();
  }
}

async function untilAsync(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each partition's end offset (high watermark), by partition. */
async function partitionEnds(topic: string): Promise<number[]> {
  const admin = referenceKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends: number[] = [];
    for (const { partition, high } of offsets) ends[partition] = Number(high);
    return ends;
  } finally {
    await admin.disconnect();
  }
}

const written = (partitions: readonly number[], perPartition: number) =>
  partitions.flatMap((partition) =>
    Array.from({ length: perPartition }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
  );

describe('partitions added to the topic while the group runs', () => {
  it('the leader sees the new count within its metadata age and rejoins; the new partitions are read from their start', async () => {
    const topic = await referenceTopic('wire-group-grow', 2);
    await produceRaw(topic, written([0, 1], 5));
    const { listener } = await member(uniqueGroup('wire-grow'), topic, 1000);
    await until('the first 10 records came', () => listener.records >= 10);
    expect(listener.partitions).toEqual([0, 1]);

    await growTopic(topic, 4);
    await produceRaw(topic, written([2, 3], 3));
    await until('the member has all four partitions', () => listener.partitions?.length === 4, 30_000);
    expect(listener.partitions).toEqual([0, 1, 2, 3]);
    const ends = await partitionEnds(topic);
    expect(ends[2]).toBeGreaterThanOrEqual(3); // kafkajs may have written a message twice
    await until(
      'the new partitions’ records came',
      () =>
        (listener.offsets.get(2)?.length ?? 0) >= ends[2]! &&
        (listener.offsets.get(3)?.length ?? 0) >= ends[3]!,
      30_000,
    );
    expect(listener.offsets.get(2)).toEqual(Array.from({ length: ends[2]! }, (_, offset) => offset));
    expect(listener.offsets.get(3)).toEqual(Array.from({ length: ends[3]! }, (_, offset) => offset));
    expect(listener.events.map((event) => event.type)).toEqual(['assigned', 'rebalancing', 'assigned']);
  }, 60_000);

  it('every member of the group gets its share of the new partitions, not only the leader', async () => {
    const topic = await referenceTopic('wire-group-grow-two', 2);
    const groupId = uniqueGroup('wire-grow-two');
    const first = await member(groupId, topic, 1000);
    const second = await member(groupId, topic, 1000);
    await until(
      'each member has one partition',
      () => first.listener.partitions?.length === 1 && second.listener.partitions?.length === 1,
    );

    await growTopic(topic, 6);
    await produceRaw(topic, written([0, 1, 2, 3, 4, 5], 2));
    // kafkajs may write a message twice when a new partition's leader was not ready yet: what each
    // owner must read is every offset the partition holds.
    const ends = await partitionEnds(topic);
    expect(ends.reduce((sum, end) => sum + end, 0)).toBeGreaterThanOrEqual(12);
    await until(
      'each member has three partitions',
      () => first.listener.partitions?.length === 3 && second.listener.partitions?.length === 3,
      30_000,
    );
    const all = [...first.listener.partitions!, ...second.listener.partitions!].sort();
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
    // Each partition's owner reads its two records. Nothing is committed here, so a partition that
    // a later rebalance assigns again is read again from its start (at least once): sets, not lists.
    const readByOwner = (partition: number) => {
      const owner = first.listener.partitions!.includes(partition) ? first : second;
      return [...new Set(owner.listener.offsets.get(partition))].sort((a, b) => a - b);
    };
    const offsetsUpTo = (end: number) => Array.from({ length: end }, (_, offset) => offset);
    await until(
      'every partition’s owner read its records',
      () => ends.every((end, partition) => readByOwner(partition).length >= end),
      30_000,
    );
    ends.forEach((end, partition) => {
      expect(readByOwner(partition)).toEqual(offsetsUpTo(end));
    });
  }, 60_000);

  it('without new partitions, the leader’s reads of the count cause no rebalance', async () => {
    const topic = await referenceTopic('wire-group-same', 2);
    const { listener } = await member(uniqueGroup('wire-same'), topic, 300);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(listener.events.map((event) => event.type)).toEqual(['assigned']);
  });
});
