import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import type { ClusterAdmin, TopicOffsets } from '../src/client/client.js';
import { waitForGroupEnd } from '../src/source/group-end.js';
import { KafkaSource } from '../src/source/kafka-source.js';
import {
  byPartition,
  drive,
  FAST_GROUP,
  flinkRecord,
  produceRaw,
  type RawMessage,
  type TakenEvent,
  testClient,
  uniqueGroup,
} from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const TOPIC = TEST_TOPICS.sourceFlink.name;
const PARTITIONS = TEST_TOPICS.sourceFlink.partitions;
const PER_PARTITION = 2_000;

const client = testClient();
let admin: ClusterAdmin;
/** What was written before the range snapshot: the events a bounded run must read, per partition. */
const expected = new Map<number, TakenEvent[]>();
let range: TopicOffsets;

/** Reads the topic's range with a group, as `run --until-end` does; returns what was taken. */
async function boundedRun(group: string, until: TopicOffsets) {
  const consumer = client.consumer({ groupId: group, topic: TOPIC, fromBeginning: true, ...FAST_GROUP });
  const source = new KafkaSource({
    consumer,
    eventNames: EVENTS,
    endOffsets: until.end,
    heartbeatIntervalMs: FAST_GROUP.heartbeatIntervalMs,
  });
  await source.start();
  const ended = waitForGroupEnd({ admin, groupId: group, topic: TOPIC, range: until, intervalMs: 100 }).then(
    () => source.finish(),
  );
  try {
    const taken = await drive(source);
    await ended;
    await source.drain();
    return { taken, source };
  } finally {
    await consumer.stop();
  }
}

beforeAll(async () => {
  admin = client.admin();
  await admin.connect();
  const messages: RawMessage[] = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const events: TakenEvent[] = [];
    for (let i = 0; i < PER_PARTITION; i++) {
      const address = (partition * 0x01000000 + i * 7919) >>> 0;
      const type = (i * 31 + partition) % 7;
      events.push({ partition, offset: i, address, type });
      messages.push({ partition, value: flinkRecord(address, type) });
    }
    expected.set(partition, events);
  }
  // Two bad records at the end of partition 0: an unknown type and a truncated value.
  messages.push({ partition: 0, value: flinkRecord(1, 7) }, { partition: 0, value: Buffer.from([1, 2, 3]) });
  await produceRaw(TOPIC, messages);
  range = await admin.topicOffsets(TOPIC);
  // Written after the snapshot: a run bounded by it must leave these alone.
  await produceRaw(TOPIC, [{ partition: 1, value: flinkRecord(0xffffffff, 1) }]);
});

afterAll(async () => {
  await admin.disconnect();
});

describe('KafkaSource', () => {
  it("reads every partition's events in offset order, bounded by the end offsets at start, and commits them", async () => {
    const group = uniqueGroup('source');
    const { taken, source } = await boundedRun(group, range);
    const read = byPartition(taken);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      expect(read.get(partition), `partition ${partition}`).toEqual(expected.get(partition));
    }
    expect(source.rejects).toEqual({ 'unknown-event': 1, 'truncated-record': 1 });
    expect(source.partitionStats).toEqual([
      { partition: 0, records: PER_PARTITION + 2, events: PER_PARTITION },
      { partition: 1, records: PER_PARTITION, events: PER_PARTITION },
      { partition: 2, records: PER_PARTITION, events: PER_PARTITION },
    ]);
    expect(range.end).toEqual([PER_PARTITION + 2, PER_PARTITION, PER_PARTITION]);
    expect(await admin.committedOffsets(group, TOPIC)).toEqual(range.end);
  });

  it('resumes a group at its committed offsets: a second run reads only what came since', async () => {
    const group = uniqueGroup('resume');
    await boundedRun(group, range);
    const later = await admin.topicOffsets(TOPIC);
    const { taken } = await boundedRun(group, later);
    expect(taken).toEqual([{ partition: 1, offset: PER_PARTITION, address: 0xffffffff, type: 1 }]);
    expect(await admin.committedOffsets(group, TOPIC)).toEqual(later.end);
  });

  it('ends at once, taking nothing, when aborted before it starts reading', async () => {
    const abort = new AbortController();
    abort.abort();
    const consumer = client.consumer({
      groupId: uniqueGroup('abort'),
      topic: TOPIC,
      fromBeginning: true,
      ...FAST_GROUP,
    });
    const source = new KafkaSource({
      consumer,
      eventNames: EVENTS,
      heartbeatIntervalMs: FAST_GROUP.heartbeatIntervalMs,
      signal: abort.signal,
    });
    try {
      await source.start();
      expect(await drive(source)).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });
});
