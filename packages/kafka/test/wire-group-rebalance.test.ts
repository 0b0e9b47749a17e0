import { afterEach, describe, expect, it } from 'vitest';
import type { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { KafkaError } from '../src/errors.js';
import { produceRaw, sleep, uniqueGroup } from './helpers.js';
import { RecordingListener, referenceTopic, until, wireConsumer } from './wire-group-helpers.js';

const running: WireGroupConsumer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

async function member(groupId: string, topic: string, sessionTimeoutMs = 6000) {
  const consumer = wireConsumer(groupId, topic, { sessionTimeoutMs });
  const listener = new RecordingListener();
  running.push(consumer);
  await consumer.start(listener);
  return { consumer, listener };
}

describe('wire group members', () => {
  it('a single member is given every partition and reads every record from the beginning', async () => {
    const topic = await referenceTopic('wire-group-read', 3);
    await produceRaw(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `v${i}` })),
    );
    const { listener } = await member(uniqueGroup('wire-read'), topic);
    expect(listener.partitions).toEqual([0, 1, 2]);
    expect(listener.memberId).toMatch(/^statecraft-wire-test-/);
    await until('30 records came', () => listener.records >= 30);
    for (const partition of [0, 1, 2]) {
      expect(listener.offsets.get(partition)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
  });

  it('two members split four partitions by range; when one leaves, the other gets all of them well before the session timeout', async () => {
    const topic = await referenceTopic('wire-group-split', 4);
    const groupId = uniqueGroup('wire-split');
    // A long session timeout: only LeaveGroup can move the partitions back quickly.
    const first = await member(groupId, topic, 30_000);
    expect(first.listener.partitions).toEqual([0, 1, 2, 3]);
    const second = await member(groupId, topic, 30_000);
    // The first member learns of the rebalance by its heartbeat, rejoins with its member id.
    await until('the first member has two partitions', () => first.listener.partitions?.length === 2);
    const firstId = first.listener.memberId!;
    const secondId = second.listener.memberId!;
    expect(first.listener.events.map((event) => event.type)).toEqual(['assigned', 'rebalancing', 'assigned']);
    expect(first.listener.events[0]).toMatchObject({ memberId: firstId });
    // Range: the member whose id sorts first takes partitions 0 and 1.
    const [low, high] = firstId < secondId ? [first, second] : [second, first];
    expect(low.listener.partitions).toEqual([0, 1]);
    expect(high.listener.partitions).toEqual([2, 3]);

    const leftAt = Date.now();
    running.splice(running.indexOf(second.consumer), 1);
    await second.consumer.stop();
    await until('the first member has every partition again', () => first.listener.partitions?.length === 4);
    const assignedAt = first.listener.events.at(-1)!.at;
    expect(assignedAt - leftAt).toBeLessThan(5000);
    expect(first.listener.memberId).toBe(firstId);
  });

  it('heartbeats on its own timer: a batch that takes longer than the session timeout does not cost the member its place', async () => {
    const topic = await referenceTopic('wire-group-slow', 1);
    await produceRaw(topic, [{ partition: 0, value: 'slow' }]);
    const listener = new RecordingListener();
    let handled = 0;
    listener.batch = async () => {
      await sleep(8000); // the session timeout is 6 s
      handled++;
    };
    const consumer = wireConsumer(uniqueGroup('wire-slow'), topic);
    running.push(consumer);
    await consumer.start(listener);
    await until('the slow batch was handled', () => handled === 1, 20_000);
    expect(listener.events.map((event) => event.type)).toEqual(['assigned']);
    expect(await consumer.commit([{ partition: 0, offset: 1 }])).toBe(true);
  }, 30_000);

  it("a batch's heartbeat throws once the group rebalanced while it waited; the consumer swallows that and hands the partition's records over again", async () => {
    const topic = await referenceTopic('wire-group-stale-batch', 2);
    await produceRaw(topic, [
      { partition: 0, value: 'a' },
      { partition: 1, value: 'b' },
    ]);
    const groupId = uniqueGroup('wire-stale-batch');
    const listener = new RecordingListener();
    const thrown: unknown[] = [];
    let second: Promise<unknown> | undefined;
    listener.batch = async (batch, heartbeat) => {
      if (second === undefined) {
        // The first batch waits for a second member to join and the group to rebalance.
        second = member(groupId, topic);
        await until('the rebalance began', () =>
          listener.events.some((event) => event.type === 'rebalancing'),
        );
        await heartbeat().catch((error: unknown) => thrown.push(error));
        if (thrown.length > 0) throw thrown[0];
      }
      listener.record(batch);
    };
    const consumer = wireConsumer(groupId, topic);
    running.push(consumer);
    await consumer.start(listener);
    await until('the first batch ran into the rebalance', () => thrown.length === 1);
    await second;
    expect(thrown[0]).toBeInstanceOf(KafkaError);
    expect((thrown[0] as Error).message).toBe('the group is rebalancing');
    await until('the member has one partition again', () => listener.partitions?.length === 1);
    const [partition] = listener.partitions!;
    await until(
      "its partition's record was handed over",
      () => listener.offsets.get(partition!)?.length === 1,
    );
    expect(listener.events.some((event) => event.type === 'failed')).toBe(false);
  });
});
