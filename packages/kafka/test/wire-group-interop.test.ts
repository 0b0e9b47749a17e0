import type { Consumer } from 'kafkajs';
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

const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function wireMember(groupId: string, topic: string) {
  const consumer: WireGroupConsumer = wireConsumer(groupId, topic);
  const listener = new RecordingListener();
  stops.push(() => consumer.stop());
  await consumer.start(listener);
  return listener;
}

interface KafkaJsMember {
  partitions: number[] | undefined;
  /** The offsets it read, per partition. */
  read: Map<number, number[]>;
}

/** A kafkajs consumer (its default assigner, RoundRobinAssigner) in the group. */
async function kafkaJsMember(groupId: string, topic: string): Promise<KafkaJsMember> {
  const consumer: Consumer = referenceKafka().consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 300,
  });
  const member: KafkaJsMember = { partitions: undefined, read: new Map() };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    member.partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  stops.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  // No commits: a partition that moves to the wire member is read there from the beginning.
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const list = member.read.get(partition) ?? [];
      list.push(Number(message.offset));
      member.read.set(partition, list);
    },
  });
  return member;
}

function together(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] {
  return [...(a ?? []), ...(b ?? [])].sort((x, y) => x - y);
}

describe('a wire member and a kafkajs member in one group', () => {
  it('share the partitions when the wire member leads (it assigns by kafkajs round robin, the one protocol both support)', async () => {
    const topic = await referenceTopic('wire-interop-wire-leads', 4);
    await produceRaw(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ partition: i % 4, value: `v${i}` })),
    );
    const groupId = uniqueGroup('wire-interop');
    const wire = await wireMember(groupId, topic);
    expect(wire.partitions).toEqual([0, 1, 2, 3]);
    const kafkajs = await kafkaJsMember(groupId, topic);
    await until(
      'both members have two partitions',
      () => wire.partitions?.length === 2 && kafkajs.partitions?.length === 2,
    );
    expect(together(wire.partitions, kafkajs.partitions)).toEqual([0, 1, 2, 3]);
    // kafkajs decoded the wire leader's assignment and reads its partitions.
    await until('kafkajs read its partitions', () =>
      (kafkajs.partitions ?? []).every((partition) => kafkajs.read.get(partition)?.length === 5),
    );
  });

  it('share the partitions when the kafkajs member leads (the wire member decodes its assignment)', async () => {
    const topic = await referenceTopic('wire-interop-kafkajs-leads', 4);
    await produceRaw(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ partition: i % 4, value: `v${i}` })),
    );
    const groupId = uniqueGroup('wire-interop');
    const kafkajs = await kafkaJsMember(groupId, topic);
    await until('kafkajs joined', () => kafkajs.partitions?.length === 4);
    const wire = await wireMember(groupId, topic);
    expect(wire.partitions).toHaveLength(2);
    await until('kafkajs has two partitions', () => kafkajs.partitions?.length === 2);
    expect(together(wire.partitions, kafkajs.partitions)).toEqual([0, 1, 2, 3]);
    await until('the wire member read its partitions', () =>
      (wire.partitions ?? []).every((partition) => wire.offsets.get(partition)?.length === 5),
    );
  });
});
