import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../../scripts/broker/broker.js';
import type { KafkaClientOptions } from '../src/client/client.js';
import { WireClusterAdmin } from '../src/client/wire-cluster-admin.js';
import { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { KafkaUnreachableError } from '../src/errors.js';
import { FAST_GROUP, sleep, uniqueGroup } from './helpers.js';
import { RecordingListener, until } from './wire-group-helpers.js';

const TOPIC = 'wire-restart';
let broker: RunningBroker;

beforeAll(async () => {
  // A broker of this file's own: the shared one must not be restarted.
  broker = await startBroker({ topics: [`${TOPIC}:2`], heapMb: 512 });
}, 120_000);

afterAll(async () => {
  await broker?.stop();
});

type ConnectionEvent = Parameters<NonNullable<KafkaClientOptions['onConnection']>>[0];

function member(reconnectMs: number) {
  const connection: ConnectionEvent[] = [];
  const groupId = uniqueGroup('wire-restart');
  const consumer = new WireGroupConsumer(
    {
      brokers: [broker.bootstrap],
      clientId: 'statecraft-wire-test',
      timeoutMs: 10_000,
      reconnectMs,
      onConnection: (event) => connection.push(event),
    },
    { groupId, topic: TOPIC, fromBeginning: true, ...FAST_GROUP },
  );
  return { consumer, groupId, listener: new RecordingListener(), connection };
}

describe('a wire member whose broker is killed -9 and restarted on the same data', () => {
  it('rides the outage out (told once it is lost, once it is back in the group), while one with a shorter reconnect bound fails', async () => {
    const riding = member(60_000);
    const failing = member(3000);
    await riding.consumer.start(riding.listener);
    await failing.consumer.start(failing.listener);
    expect(await riding.consumer.commit([{ partition: 0, offset: 1 }])).toBe(true);

    await broker.kill();
    const killedAt = Date.now();
    await until(
      'the outage was noticed',
      () => riding.connection.length === 1 && failing.connection.length === 1,
    );
    expect(riding.connection).toEqual([{ lost: true }]);
    expect(riding.listener.events.map((event) => event.type)).toEqual(['assigned', 'rebalancing']);
    // The cluster is lost: a commit is refused, not thrown.
    expect(await riding.consumer.commit([{ partition: 0, offset: 2 }])).toBe(false);

    await until(
      'the member with a 3 s bound failed',
      () => failing.listener.events.at(-1)?.type === 'failed',
    );
    const failed = failing.listener.events.at(-1);
    expect(failed?.type === 'failed' && failed.error).toBeInstanceOf(KafkaUnreachableError);
    expect(failed?.type === 'failed' && failed.error.message).toMatch(
      /^cannot reach Kafka at 127\.0\.0\.1:\d+: lost group \S+ for \d s: /,
    );
    expect(failed?.type === 'failed' && failed.error.message).not.toMatch(/: cannot reach Kafka/);
    expect(failed!.at - killedAt).toBeGreaterThanOrEqual(3000);
    expect(failed!.at - killedAt).toBeLessThan(8000);

    await sleep(500);
    await broker.restart();
    await until('the member is back in the group', () => riding.connection.length === 2, 60_000);
    const back = riding.connection[1];
    expect(back).toMatchObject({ lost: false });
    expect(back?.lost === false && back.afterMs).toBeGreaterThan(3000);
    expect(riding.listener.events.map((event) => event.type)).toEqual([
      'assigned',
      'rebalancing',
      'assigned',
    ]);
    expect(riding.listener.partitions).toEqual([0, 1]);
    expect(await riding.consumer.commit([{ partition: 1, offset: 3 }])).toBe(true);
    const admin = new WireClusterAdmin({
      brokers: [broker.bootstrap],
      clientId: 'statecraft-wire-test',
      timeoutMs: 10_000,
    });
    try {
      expect(await admin.committedOffsets(riding.groupId, TOPIC)).toEqual([1, 3]);
    } finally {
      await admin.disconnect();
    }
    await riding.consumer.stop();
    await failing.consumer.stop();
  }, 120_000);
});
