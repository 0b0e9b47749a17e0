import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionOffset } from '../src/client/client.js';
import type { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { BrokerPool } from '../src/wire/broker-pool.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  encodeAssignment,
  encodeSubscription,
} from '../src/wire/consumer-protocol.js';
import { ErrorCode } from '../src/wire/error-codes.js';
import { GroupCoordinator } from '../src/wire/group-coordinator.js';
import { type GroupGeneration, joinGroup, syncGroup } from '../src/wire/group-requests.js';
import { commitOffsets } from '../src/wire/offset-commit.js';
import { bootstrap, produceRaw, sleep, uniqueGroup } from './helpers.js';
import {
  RecordingListener,
  referenceKafka,
  referenceTopic,
  until,
  wireAdmin,
  wireConsumer,
} from './wire-group-helpers.js';

const admin = wireAdmin();
const running: WireGroupConsumer[] = [];
let topic: string;

beforeAll(async () => {
  await admin.connect();
  topic = await referenceTopic('wire-group-commit', 3);
  // One record per send, so one per record batch: a fetch from an offset starts at that record
  // (a fetch returns whole batches).
  await produceRaw(
    topic,
    Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `v${i}` })),
    1,
  );
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

afterAll(async () => {
  await admin.disconnect();
});

async function member(groupId: string, listener = new RecordingListener()) {
  const consumer = wireConsumer(groupId, topic);
  running.push(consumer);
  await consumer.start(listener);
  return { consumer, listener };
}

/** Joins a group by hand (JoinGroup twice, SyncGroup) as its only member, with the wire requests. */
async function joinByHand(coordinator: GroupCoordinator, memberId: string): Promise<GroupGeneration> {
  const connection = await coordinator.connection(Date.now() + 10_000);
  const request = {
    groupId: coordinator.groupId,
    sessionTimeoutMs: 6000,
    rebalanceTimeoutMs: 6000,
    protocolType: CONSUMER_PROTOCOL_TYPE,
    protocols: [{ name: 'range', metadata: encodeSubscription([topic]) }],
  };
  let joined = await joinGroup(connection, { ...request, memberId });
  if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
    expect(joined.memberId).not.toBe('');
    joined = await joinGroup(connection, { ...request, memberId: joined.memberId });
  }
  expect(joined.errorCode).toBe(ErrorCode.NONE);
  expect(joined.leader).toBe(joined.memberId);
  const generation = {
    groupId: coordinator.groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
  };
  const assignment = encodeAssignment(new Map([[topic, [0, 1, 2]]]));
  const synced = await syncGroup(
    connection,
    generation,
    CONSUMER_PROTOCOL_TYPE,
    'range',
    [{ memberId: joined.memberId, assignment }],
    6000,
  );
  expect(synced.errorCode).toBe(ErrorCode.NONE);
  expect(synced.assignment).toEqual(assignment);
  return generation;
}

describe('commits of a wire group member', () => {
  it('commits offsets that the admin and kafkajs read back, and a member of the group later starts there', async () => {
    const groupId = uniqueGroup('wire-commit');
    const first = await member(groupId);
    const offsets: PartitionOffset[] = [
      { partition: 0, offset: 4 },
      { partition: 2, offset: 7 },
    ];
    expect(await first.consumer.commit(offsets)).toBe(true);
    expect(await admin.committedOffsets(groupId, topic)).toEqual([4, -1, 7]);
    const reference = referenceKafka().admin();
    await reference.connect();
    try {
      const [fetched] = await reference.fetchOffsets({ groupId, topics: [topic] });
      expect(fetched?.partitions.map(({ partition, offset }) => [partition, Number(offset)])).toEqual([
        [0, 4],
        [1, -1],
        [2, 7],
      ]);
    } finally {
      await reference.disconnect();
    }
    running.splice(0);
    await first.consumer.stop();

    const second = await member(groupId);
    await until('the rest of the records came', () => second.listener.records >= 6 + 10 + 3);
    expect(second.listener.offsets.get(0)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(second.listener.offsets.get(1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(second.listener.offsets.get(2)).toEqual([7, 8, 9]);
  });

  it('commits nothing, resolving false, while the member rejoins', async () => {
    const groupId = uniqueGroup('wire-commit-rebalance');
    const commits: Promise<boolean>[] = [];
    const listener = new RecordingListener();
    const first = await member(groupId, listener);
    listener.rebalancing = () => {
      commits.push(first.consumer.commit([{ partition: 0, offset: 9 }]));
    };
    await member(groupId);
    await until('the first member rejoined', () => commits.length > 0);
    expect(await commits[0]).toBe(false);
    expect(await admin.committedOffsets(groupId, topic)).toEqual([-1, -1, -1]);
  });

  it('the coordinator refuses a commit of a generation the group left (OffsetCommit v8 by hand)', async () => {
    const pool = new BrokerPool({
      brokers: [bootstrap()],
      clientId: 'statecraft-wire-test',
      timeoutMs: 10_000,
    });
    const coordinator = new GroupCoordinator(pool, uniqueGroup('wire-commit-stale'));
    try {
      const first = await joinByHand(coordinator, '');
      const connection = await coordinator.connection(Date.now() + 10_000);
      const offsets = [{ partition: 1, offset: 3 }];
      expect(await commitOffsets(connection, first, topic, offsets)).toBe(ErrorCode.NONE);
      // The leader joining again starts a new generation.
      const second = await joinByHand(coordinator, first.memberId);
      expect(second.generationId).toBeGreaterThan(first.generationId);
      expect(second.memberId).toBe(first.memberId);
      const stale = await commitOffsets(connection, first, topic, [{ partition: 1, offset: 5 }]);
      expect(stale).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(await admin.committedOffsets(coordinator.groupId, topic)).toEqual([-1, 3, -1]);
    } finally {
      await pool.close();
    }
  });
});

describe('start positions of a wire group member', () => {
  it("a committed offset inside a record batch: the batch's records before it are not handed over again", async () => {
    const batched = await referenceTopic('wire-group-mid-batch', 1);
    // One send: the ten records are one record batch, which a fetch returns whole.
    await produceRaw(
      batched,
      Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })),
    );
    const groupId = uniqueGroup('wire-mid-batch');
    const reference = referenceKafka().admin();
    await reference.connect();
    try {
      await reference.setOffsets({ groupId, topic: batched, partitions: [{ partition: 0, offset: '4' }] });
    } finally {
      await reference.disconnect();
    }
    const consumer = wireConsumer(groupId, batched);
    running.push(consumer);
    const listener = new RecordingListener();
    await consumer.start(listener);
    await until('the records from the committed offset came', () => listener.records >= 6);
    await sleep(300);
    expect(listener.offsets.get(0)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it("waits while an open transaction holds the group's offsets (require_stable), then starts at what it committed", async () => {
    const groupId = uniqueGroup('wire-unstable');
    const producer = referenceKafka().producer({
      transactionalId: `${groupId}-txn`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: [{ partition: 0, offset: '6' }] }],
      });
      const { consumer, listener } = await member(groupId);
      expect(consumer).toBeDefined();
      // While the transaction is open, the member reads nothing: not partition 0 from its
      // beginning, nor from an offset that may yet be aborted (as Java's consumer, it asks for
      // all its partitions' offsets again, until none is unstable).
      await sleep(1500);
      expect(listener.records).toBe(0);
      await transaction.commit();
      await until('every record from the committed offsets was read', () => listener.records >= 4 + 10 + 10);
      expect(listener.offsets.get(0)).toEqual([6, 7, 8, 9]);
      expect(listener.offsets.get(1)).toHaveLength(10);
    } finally {
      await producer.disconnect();
    }
  });
});
