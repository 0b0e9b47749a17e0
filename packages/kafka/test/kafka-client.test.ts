import { describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { withDeadline } from '../src/client/deadline.js';
import { createKafkaClient } from '../src/client/wire-client.js';
import { KafkaUnreachableError, TopicNotFoundError } from '../src/errors.js';
import { closedPort, testClient } from './helpers.js';

describe('the Kafka client', () => {
  it('reports an unreachable cluster as KafkaUnreachableError naming the brokers and the reason', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const admin = createKafkaClient({ brokers: [broker], clientId: 'test', timeoutMs: 2000 }).admin();
    const failure = await admin.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(KafkaUnreachableError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^cannot reach Kafka at ${broker}: .*ECONNREFUSED`),
    );
    await admin.disconnect();
  });

  it('reports a missing topic as TopicNotFoundError, and never creates it', async () => {
    const client = testClient();
    const admin = client.admin();
    const producer = client.producer();
    await admin.connect();
    await producer.connect();
    try {
      const topic = `missing-${process.pid}-${Date.now()}`;
      await expect(admin.partitionCount(topic)).rejects.toBeInstanceOf(TopicNotFoundError);
      await expect(producer.send(topic, [{ key: Buffer.from([1]), value: 'x' }])).rejects.toThrow(
        `topic ${topic} does not exist`,
      );
      await expect(admin.partitionCount(topic)).rejects.toBeInstanceOf(TopicNotFoundError);
      expect(await admin.partitionCount(TEST_TOPICS.sourceFlink.name)).toBe(
        TEST_TOPICS.sourceFlink.partitions,
      );
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});

describe('withDeadline', () => {
  it('passes the result through in time, and fails with the given error past the deadline', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(new Promise(() => undefined), 20, () => new Error('late'))).rejects.toThrow(
      'late',
    );
  });
});
