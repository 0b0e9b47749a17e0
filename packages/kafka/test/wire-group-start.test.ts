import { afterEach, describe, expect, it } from 'vitest';
import type { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { KafkaUnreachableError, TopicNotFoundError } from '../src/errors.js';
import { BrokerPool } from '../src/wire/broker-pool.js';
import { ErrorCode } from '../src/wire/error-codes.js';
import { GroupCoordinator } from '../src/wire/group-coordinator.js';
import { leaveGroup } from '../src/wire/group-requests.js';
import { bootstrap, closedPort, uniqueGroup } from './helpers.js';
import { RecordingListener, referenceTopic, until, wireConsumer } from './wire-group-helpers.js';

const running: WireGroupConsumer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

describe('starting a wire group member', () => {
  it('fails within its bound with KafkaUnreachableError when no broker answers', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const consumer = wireConsumer(
      uniqueGroup('wire-unreachable'),
      'any-topic',
      {},
      { brokers: [broker], timeoutMs: 2000 },
    );
    const listener = new RecordingListener();
    const started = Date.now();
    const starting = consumer.start(listener);
    await expect(starting).rejects.toThrow(KafkaUnreachableError);
    await expect(starting).rejects.toThrow(`cannot reach Kafka at ${broker}`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(listener.events).toEqual([]);
  });

  it('fails with TopicNotFoundError, before joining, when the topic does not exist', async () => {
    const topic = `wire-missing-${process.pid}-${Date.now()}`;
    const consumer = wireConsumer(uniqueGroup('wire-missing'), topic);
    const listener = new RecordingListener();
    const starting = consumer.start(listener);
    await expect(starting).rejects.toThrow(TopicNotFoundError);
    await expect(starting).rejects.toThrow(`topic ${topic} does not exist`);
    expect(listener.events).toEqual([]);
  });
});

describe('a wire member the group expels', () => {
  it('rejoins with a new member id, and its listener is told the new id', async () => {
    const topic = await referenceTopic('wire-expelled', 2);
    const groupId = uniqueGroup('wire-expelled');
    const consumer = wireConsumer(groupId, topic);
    running.push(consumer);
    const listener = new RecordingListener();
    await consumer.start(listener);
    const firstId = listener.memberId!;
    // Someone else removes the member (as an operator's tool would): its next heartbeat is refused.
    const pool = new BrokerPool({
      brokers: [bootstrap()],
      clientId: 'statecraft-wire-test',
      timeoutMs: 10_000,
    });
    try {
      const coordinator = new GroupCoordinator(pool, groupId);
      const connection = await coordinator.connection(Date.now() + 10_000);
      expect(await leaveGroup(connection, groupId, firstId)).toBe(ErrorCode.NONE);
    } finally {
      await pool.close();
    }
    await until('the member joined again', () => listener.events.length === 3);
    expect(listener.events.map((event) => event.type)).toEqual(['assigned', 'rebalancing', 'assigned']);
    expect(listener.memberId).not.toBe(firstId);
    expect(listener.partitions).toEqual([0, 1]);
  });
});
