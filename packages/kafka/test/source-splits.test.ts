import { isStateCommand, type SequentialItem } from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import { KafkaSource } from '../src/source/kafka-source.js';
import { sleep } from './helpers.js';
import { ScriptedConsumer } from './scripted-consumer.js';

function source(consumer: ScriptedConsumer, endOffsets?: number[]) {
  return new KafkaSource({
    consumer,
    eventNames: ['a', 'b'],
    maxQueuedChunks: 1,
    heartbeatIntervalMs: 20,
    commitIntervalMs: 0,
    ...(endOffsets === undefined ? {} : { endOffsets }),
  });
}

/** Takes the next chunk the engine would get: its partition and record offsets. */
async function next(iterator: AsyncIterator<SequentialItem>, kafka: KafkaSource, chunk: number) {
  for (;;) {
    const result = await iterator.next();
    if (result.done) return undefined;
    // A revoked partition's state is dropped: these tests look at the chunks alone.
    if (isStateCommand(result.value)) continue;
    const { split, offsets } = kafka.ledger.get(chunk);
    return { partition: split.partition, offsets: [...offsets.subarray(0, result.value.count)] };
  }
}

describe('KafkaSource splits', () => {
  it('commits a partition only up to what is written, and only while it owns the partition', async () => {
    const consumer = new ScriptedConsumer();
    const kafka = source(consumer);
    await kafka.start();
    consumer.listener.assigned([0, 1]);
    const iterator = kafka[Symbol.asyncIterator]();
    await consumer.fetch(0, 0, 3);
    expect(await next(iterator, kafka, 0)).toEqual({ partition: 0, offsets: [0, 1, 2] });
    await consumer.fetch(1, 10, 2);
    expect(await next(iterator, kafka, 1)).toEqual({ partition: 1, offsets: [10, 11] });
    expect(consumer.commits).toEqual([]);

    kafka.chunkWritten(0);
    await kafka.drain();
    expect(consumer.commits).toEqual([[{ partition: 0, offset: 3 }]]);

    // Partition 1 is revoked before its chunk is written: its next owner reads it again.
    consumer.listener.rebalancing();
    consumer.listener.assigned([0]);
    kafka.chunkWritten(1);
    await kafka.drain();
    expect(consumer.commits.flat()).not.toContainEqual(expect.objectContaining({ partition: 1 }));
    // Partition 0 is kept: its written offset is committed again for the new generation.
    expect(consumer.commits.at(-1)).toEqual([{ partition: 0, offset: 3 }]);
  });

  it('after a rejoin, takes a kept partition up where it was, not from the refetched committed offset', async () => {
    const consumer = new ScriptedConsumer();
    const kafka = source(consumer);
    await kafka.start();
    consumer.listener.assigned([0]);
    const iterator = kafka[Symbol.asyncIterator]();
    await consumer.fetch(0, 0, 5);
    expect(await next(iterator, kafka, 0)).toEqual({ partition: 0, offsets: [0, 1, 2, 3, 4] });
    consumer.listener.rebalancing();
    consumer.listener.assigned([0]);
    // The client fetches again from the committed offset (none yet): records 0..4 are not taken twice.
    await consumer.fetch(0, 0, 8);
    expect(await next(iterator, kafka, 1)).toEqual({ partition: 0, offsets: [5, 6, 7] });
  });

  it('drops a batch that waited for room while its partition was revoked and assigned again', async () => {
    const consumer = new ScriptedConsumer();
    const kafka = source(consumer);
    await kafka.start();
    consumer.listener.assigned([0]);
    const iterator = kafka[Symbol.asyncIterator]();
    await consumer.fetch(0, 0, 2); // queued: the queue (1 chunk) is full
    let waitedTaken = false;
    const waiting = consumer.fetch(0, 2, 2).then(() => {
      waitedTaken = true;
    });
    await sleep(50);
    expect(waitedTaken).toBe(false);

    // The partition moves away and comes back: a new split, which starts at the committed offset.
    consumer.listener.rebalancing();
    consumer.listener.assigned([]);
    consumer.listener.assigned([0]);
    await waiting;
    // The old split's queued chunk and the batch that waited are both gone; the new split takes the
    // records from where the client now fetches (the committed offset, 0).
    const refetched = consumer.fetch(0, 0, 4);
    expect(await next(iterator, kafka, 0)).toEqual({ partition: 0, offsets: [0, 1, 2, 3] });
    await refetched;
  });

  it('leaves records at or past the end offsets, pauses a partition taken to its end, and ends when finished', async () => {
    const consumer = new ScriptedConsumer();
    const kafka = source(consumer, [3, 0]);
    await kafka.start();
    consumer.listener.assigned([0, 1]);
    const iterator = kafka[Symbol.asyncIterator]();
    await consumer.fetch(0, 0, 6);
    expect(await next(iterator, kafka, 0)).toEqual({ partition: 0, offsets: [0, 1, 2] });
    expect(consumer.paused).toEqual([0]);
    kafka.chunkWritten(0);
    await kafka.drain();
    expect(consumer.commits).toEqual([[{ partition: 0, offset: 3 }]]);
    kafka.finish();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('fails the stream with the error of a consumer that stopped for good', async () => {
    const consumer = new ScriptedConsumer();
    const kafka = source(consumer);
    await kafka.start();
    consumer.listener.assigned([0]);
    const iterator = kafka[Symbol.asyncIterator]();
    const pending = iterator.next();
    consumer.listener.failed(new Error('the broker is gone'));
    await expect(pending).rejects.toThrow('the broker is gone');
  });
});
