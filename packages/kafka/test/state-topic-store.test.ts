import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedCheckpointStore } from '../src/checkpoint/cached-checkpoint-store.js';
import { KafkaCheckpointStore } from '../src/checkpoint/kafka-checkpoint-store.js';
import type { PartitionCheckpoint } from '../src/checkpoint/partition-checkpoint.js';
import type { ClusterAdmin } from '../src/client/client.js';
import { ColumnarProducer } from '../src/wire/columnar-producer.js';
import { bootstrap, produceRaw, testClient, uniqueGroup } from './helpers.js';
import { referenceKafka } from './wire-group-helpers.js';

const JOB = 'state topic test job';
const PARTITIONS = 2;

let dir: string;
let admin: ClusterAdmin;
let producer: ColumnarProducer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statecraft-state-topic-'));
  admin = testClient().admin();
  await admin.connect();
  producer = new ColumnarProducer({
    brokers: [bootstrap()],
    clientId: 'state-topic-test',
    timeoutMs: 10_000,
  });
});
afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** A state topic of its own (or `existing`), prepared as a job prepares it. */
async function stateTopic(
  name: string,
  job = JOB,
  existing?: string,
): Promise<{ topic: string; store: KafkaCheckpointStore }> {
  const topic = existing ?? uniqueGroup(name);
  const store = new KafkaCheckpointStore({
    brokers: [bootstrap()],
    clientId: 'state-topic-test',
    timeoutMs: 10_000,
    stateTopic: topic,
    job,
    producer,
    admin,
  });
  expect(await store.prepare(PARTITIONS)).toEqual({ created: existing === undefined });
  return { topic, store };
}

/** Partition 1's checkpoint after `offset` events; its state holds `offset` as its one address. */
function checkpoint(offset: number, job = JOB): PartitionCheckpoint {
  return {
    job,
    topic: 'events',
    partition: 1,
    offset,
    events: offset,
    alerts: 0,
    outputPosition: -1,
    createdAt: new Date(0).toISOString(),
    writer: 'test',
    keyed: { keys: Uint32Array.of(offset), values: Uint32Array.of(1) },
  };
}

describe('checkpoints in a state topic', () => {
  it('a partition added to the events topic needs one in the state topic: refused with what to do, then read once it has one', async () => {
    const { topic, store } = await stateTopic('state-topic-grown');
    await expect(store.loadAll(PARTITIONS)).rejects.toThrow(
      `partition ${PARTITIONS} of the events topic was assigned (partitions were added to it), but state topic ${topic} has ${PARTITIONS} partitions: add partitions to it (kafka-topics.sh --alter --topic ${topic} --partitions <the events topic's count>) or give another --state-topic`,
    );
    const reference = referenceKafka().admin();
    await reference.connect();
    try {
      await reference.createPartitions({ topicPartitions: [{ topic, count: PARTITIONS + 1 }] });
    } finally {
      await reference.disconnect();
    }
    expect(await store.loadAll(PARTITIONS)).toEqual({ checkpoints: [], unusable: [] });
  });

  it('a takeover reads the newest two checkpoints from the end of the partition, not every record before them', async () => {
    const { topic, store } = await stateTopic('from-end');
    // At the start of the partition, a record no checkpoint of this job: read, it would be refused.
    const { store: other } = await stateTopic('other-job', 'another job', topic);
    await produceRaw(topic, [
      { partition: 1, key: Buffer.from('x'), value: Buffer.from('not a checkpoint') },
    ]);
    await other.write({ ...checkpoint(1, 'another job') });
    for (let offset = 10; offset <= 300; offset += 10) await store.write(checkpoint(offset));
    // Then more records than the first window holds that are not checkpoints (null values).
    await produceRaw(
      topic,
      Array.from({ length: 20 }, () => ({ partition: 1, key: Buffer.from('events:1'), value: null })),
    );
    const { checkpoints, unusable } = await store.loadAll(1);
    expect(checkpoints.map((c) => c.offset)).toEqual([300, 290]);
    expect(unusable).toEqual([]);
    expect((await store.loadAll(0)).checkpoints).toEqual([]);
  });

  it('reports a damaged record on the way to the newest checkpoints, naming the topic, partition and offset', async () => {
    const { topic, store } = await stateTopic('damaged');
    await store.write(checkpoint(10));
    await produceRaw(topic, [{ partition: 1, key: Buffer.from('events:1'), value: Buffer.from('damaged') }]);
    const { checkpoints, unusable } = await store.loadAll(1);
    expect(checkpoints.map((c) => c.offset)).toEqual([10]);
    expect(unusable.map((u) => u.path)).toEqual([`${topic}[1]@1`]);
    expect(unusable[0]!.reason).toMatch(new RegExp(`^${topic}\\[1\\]@1 is unusable \\(`));
  });

  it('with a cache directory, restores the local copy only while it is the newest checkpoint in the topic', async () => {
    const { topic, store } = await stateTopic('local-copy');
    const cacheDir = join(dir, 'cache');
    const cached = new CachedCheckpointStore(store, cacheDir);
    const copy = join(cacheDir, 'partition-1.state-copy');
    expect(await cached.loadAll(1)).toEqual({ checkpoints: [], unusable: [] });

    await cached.write(checkpoint(10));
    await cached.write(checkpoint(20));
    const restored = await cached.loadAll(1);
    expect(restored.localCopy).toBe(copy);
    expect(restored.checkpoints.map((c) => c.offset)).toEqual([20]);
    expect(Array.from(restored.checkpoints[0]!.keyed.keys)).toEqual([20]);

    // Another process wrote a newer checkpoint: the copy is stale, the topic's is restored.
    await store.write(checkpoint(30));
    const newer = await cached.loadAll(1);
    expect(newer.localCopy).toBeUndefined();
    expect(newer.checkpoints.map((c) => c.offset)).toEqual([30, 20]);

    // A damaged copy is passed over for the topic.
    await cached.write(checkpoint(40));
    expect((await cached.loadAll(1)).localCopy).toBe(copy);
    const bytes = await readFile(copy);
    bytes[bytes.length - 3]! ^= 0xff;
    await writeFile(copy, bytes);
    const fromTopic = await cached.loadAll(1);
    expect(fromTopic.localCopy).toBeUndefined();
    expect(fromTopic.checkpoints.map((c) => c.offset)).toEqual([40, 30]);

    // A copy of a checkpoint at the same offset of another topic (as a topic deleted and created
    // again under its name would be), its newest record at the copy's offset: the id differs, so
    // the topic is read.
    const { topic: twin, store: twinStore } = await stateTopic('twin');
    expect(twin).not.toBe(topic);
    for (const offset of [10, 20, 30, 40, 50]) await twinStore.write(checkpoint(offset + 1));
    await cached.write(checkpoint(50));
    const twinCached = new CachedCheckpointStore(twinStore, cacheDir);
    const twinRestored = await twinCached.loadAll(1);
    expect(twinRestored.localCopy).toBeUndefined();
    expect(twinRestored.checkpoints.map((c) => c.offset)).toEqual([51, 41]);
  });
});
