import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireClusterAdmin } from '../src/client/wire-cluster-admin.js';
import { KafkaError, KafkaUnreachableError, TopicNotFoundError } from '../src/errors.js';
import { closedPort, produceRaw, uniqueGroup } from './helpers.js';
import { referenceKafka, referenceTopic, wireAdmin, wireOptions } from './wire-group-helpers.js';

const admin = wireAdmin();

beforeAll(async () => {
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

describe('the wire cluster admin', () => {
  it('creates topics with their partitions and config, waits for their leaders, and leaves an existing one as it is', async () => {
    const name = `wire-admin-create-${process.pid}-${Date.now()}`;
    await admin.createTopics([{ name, partitions: 3, config: { 'cleanup.policy': 'compact' } }]);
    // Right after: metadata has every partition with a leader (kafkajs, as the reference, agrees).
    const reference = referenceKafka().admin();
    await reference.connect();
    try {
      const metadata = await reference.fetchTopicMetadata({ topics: [name] });
      expect(metadata.topics[0]?.partitions.map((p) => p.leader >= 0)).toEqual([true, true, true]);
      const configs = await reference.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name, configNames: ['cleanup.policy'] }],
      });
      expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
      // A second creation, with another partition count, changes nothing and does not fail.
      await admin.createTopics([{ name, partitions: 5 }]);
      expect(await admin.partitionCount(name)).toBe(3);
    } finally {
      await reference.disconnect();
    }
  });

  it('says what failed when the broker refuses a topic', async () => {
    const name = `wire-admin-bad-${process.pid}-${Date.now()}`;
    const creating = admin.createTopics([{ name, partitions: 1, config: { 'cleanup.policy': 'nonsense' } }]);
    await expect(creating).rejects.toThrow(KafkaError);
    await expect(creating).rejects.toThrow(new RegExp(`^cannot create topic ${name}: INVALID_CONFIG`));
  });

  it('counts partitions, and a missing topic is TopicNotFoundError', async () => {
    const topic = await referenceTopic('wire-admin-count', 4);
    expect(await admin.partitionCount(topic)).toBe(4);
    await expect(admin.partitionCount(`wire-admin-missing-${Date.now()}`)).rejects.toThrow(
      TopicNotFoundError,
    );
    await expect(admin.topicOffsets(`wire-admin-missing-${Date.now()}`)).rejects.toThrow(TopicNotFoundError);
  });

  it("reads each partition's start and end offsets as kafkajs's fetchTopicOffsets does", async () => {
    const topic = await referenceTopic('wire-admin-offsets', 3);
    const messages = [0, 0, 0, 1, 2, 2].map((partition, i) => ({ partition, value: `v${i}` }));
    await produceRaw(topic, messages);
    const offsets = await admin.topicOffsets(topic);
    expect(offsets).toEqual({ start: [0, 0, 0], end: [3, 1, 2] });
    const reference = referenceKafka().admin();
    await reference.connect();
    try {
      const fromKafkaJs = await reference.fetchTopicOffsets(topic);
      for (const { partition, low, high } of fromKafkaJs) {
        expect([offsets.start[partition], offsets.end[partition]]).toEqual([Number(low), Number(high)]);
      }
    } finally {
      await reference.disconnect();
    }
  });

  it("reads a group's committed offsets (-1 where none; all -1 for a group that never committed)", async () => {
    const topic = await referenceTopic('wire-admin-committed', 3);
    const groupId = uniqueGroup('wire-admin');
    expect(await admin.committedOffsets(groupId, topic)).toEqual([-1, -1, -1]);
    const reference = referenceKafka().admin();
    await reference.connect();
    try {
      await reference.setOffsets({ groupId, topic, partitions: [{ partition: 1, offset: '7' }] });
    } finally {
      await reference.disconnect();
    }
    expect(await admin.committedOffsets(groupId, topic)).toEqual([-1, 7, -1]);
  });

  it('fails to connect within its bound when no broker answers', async () => {
    const unreachable = new WireClusterAdmin(
      wireOptions({ brokers: [`127.0.0.1:${await closedPort()}`], timeoutMs: 2000 }),
    );
    const started = Date.now();
    await expect(unreachable.connect()).rejects.toThrow(KafkaUnreachableError);
    expect(Date.now() - started).toBeLessThan(3000);
    await unreachable.disconnect();
  });
});
