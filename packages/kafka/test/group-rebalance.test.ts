import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import type { ClusterAdmin, GroupConsumer, TopicOffsets } from '../src/client/client.js';
import { waitForGroupEnd } from '../src/source/group-end.js';
import { KafkaSource } from '../src/source/kafka-source.js';
import {
  byPartition,
  drive,
  FAST_GROUP,
  flinkRecord,
  produceRaw,
  sleep,
  type TakenEvent,
  testClient,
  uniqueGroup,
} from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const TOPIC = TEST_TOPICS.groupHandOver.name;
const PARTITIONS = TEST_TOPICS.groupHandOver.partitions;
const PER_PARTITION = 3_000;

const client = testClient();
let admin: ClusterAdmin;
let range: TopicOffsets;

interface Member {
  consumer: GroupConsumer;
  source: KafkaSource;
  /** Resolves with what the member took once the whole group is done. */
  done: Promise<TakenEvent[]>;
}

/** A group member that processes slowly (small fetches, a pause per chunk) so that the group changes under it. */
async function startMember(group: string): Promise<Member> {
  const consumer = client.consumer({
    groupId: group,
    topic: TOPIC,
    fromBeginning: true,
    ...FAST_GROUP,
    maxBytesPerPartition: 2048,
  });
  const source = new KafkaSource({
    consumer,
    eventNames: EVENTS,
    endOffsets: range.end,
    maxQueuedChunks: 1,
    heartbeatIntervalMs: FAST_GROUP.heartbeatIntervalMs,
  });
  await source.start();
  const ended = waitForGroupEnd({ admin, groupId: group, topic: TOPIC, range, intervalMs: 100 }).then(() =>
    source.finish(),
  );
  const done = drive(source, () => sleep(25)).then(async (taken) => {
    await ended;
    await source.drain();
    return taken;
  });
  return { consumer, source, done };
}

beforeAll(async () => {
  admin = client.admin();
  await admin.connect();
  const messages = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    for (let i = 0; i < PER_PARTITION; i++)
      messages.push({ partition, value: flinkRecord(partition * 100_000 + i, i % 7) });
  }
  // Small sends make small record batches, so that the 2 KiB fetches bound the chunks (a fetch
  // returns at least one whole batch): the first member is still reading when the second joins.
  await produceRaw(TOPIC, messages, 40);
  range = await admin.topicOffsets(TOPIC);
});

afterAll(async () => {
  await admin.disconnect();
});

describe('a group whose membership changes while it runs', () => {
  it('moves partitions to a member that joins, losing no record and reading none twice within a member', async () => {
    const group = uniqueGroup('rebalance');
    const first = await startMember(group);
    expect(first.source.assigned).toEqual([0, 1, 2, 3]);
    // Let the first member get going alone, then add a second one.
    while (first.source.partitionStats.reduce((n, p) => n + p.records, 0) < 200) await sleep(20);
    const second = await startMember(group);
    try {
      const [firstTaken, secondTaken] = await Promise.all([first.done, second.done]);

      // The partitions were split between the members: each ended with its own share.
      expect(first.source.assigned.length).toBeGreaterThan(0);
      expect(second.source.assigned.length).toBeGreaterThan(0);
      expect([...first.source.assigned, ...second.source.assigned].sort()).toEqual([0, 1, 2, 3]);
      expect(secondTaken.length).toBeGreaterThan(0);

      // Within a member, a partition's records were taken in offset order and at most once.
      for (const taken of [firstTaken, secondTaken]) {
        for (const [partition, events] of byPartition(taken)) {
          const offsets = events.map((e) => e.offset);
          expect(offsets, `partition ${partition}`).toEqual([...offsets].sort((a, b) => a - b));
          expect(new Set(offsets).size).toBe(offsets.length);
        }
      }
      // Together they took every record (at-least-once: a moved partition's last chunks may be read twice).
      const all = byPartition([...firstTaken, ...secondTaken]);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const offsets = new Set(all.get(partition)?.map((e) => e.offset));
        expect(offsets.size, `partition ${partition}`).toBe(PER_PARTITION);
      }
      expect(await admin.committedOffsets(group, TOPIC)).toEqual(range.end);
    } finally {
      await Promise.all([first.consumer.stop(), second.consumer.stop()]);
    }
  });
});
