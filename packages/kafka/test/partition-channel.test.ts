import { beforeAll, describe, expect, it } from 'vitest';
import type { KafkaClientOptions } from '../src/client/client.js';
import { WireTransactionalProducer } from '../src/client/wire-transactional-producer.js';
import { KafkaError } from '../src/errors.js';
import { PartitionChannel } from '../src/exactly-once/partition-channel.js';
import { bootstrap, createTopicsRaw, uniqueGroup } from './helpers.js';

const ALERTS = { name: `partition-channel-alerts-${process.pid}`, partitions: 2 };
const OPTIONS: KafkaClientOptions = { brokers: [], clientId: 'partition-channel-test', timeoutMs: 10_000 };

function channelOf(id: string, stillOwner: () => boolean): PartitionChannel {
  const producer = new WireTransactionalProducer({ ...OPTIONS, brokers: [bootstrap()] }, id);
  return new PartitionChannel(0, producer, { groupId: uniqueGroup('channel'), topic: 'events' }, stillOwner);
}

beforeAll(async () => {
  await createTopicsRaw([ALERTS]);
});

// A channel whose producer is fenced by a newer producer of its transactional id.
async function fencedChannel(stillOwner: () => boolean): Promise<PartitionChannel> {
  const id = `partition-channel-${process.pid}-${Date.now()}-${Math.random()}`;
  const first = channelOf(id, stillOwner);
  await first.send(ALERTS.name, [{ key: Buffer.from('a'), value: 'before the fence' }], 0);
  const newer = new WireTransactionalProducer({ ...OPTIONS, brokers: [bootstrap()] }, id);
  await newer.connect(); // fences `first` and aborts its open transaction
  await newer.disconnect();
  return first;
}

describe('PartitionChannel fenced', () => {
  it('drops what it is given once its partition moved to another owner', async () => {
    const channel = await fencedChannel(() => false);
    await expect(
      channel.send(ALERTS.name, [{ key: Buffer.from('b'), value: 'after the fence' }], 0),
    ).resolves.toBeUndefined();
    await channel.close();
  });

  it('fails the run when it still owns the partition: nobody else would write what the aborted transaction held', async () => {
    const channel = await fencedChannel(() => true);
    const failure = await channel
      .send(ALERTS.name, [{ key: Buffer.from('c'), value: 'after the fence' }], 0)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(KafkaError);
    expect((failure as Error).message).toMatch(
      /^partition 0: its transaction was aborted by the broker while this process still owns the partition/,
    );
    await channel.close();
  });
});
